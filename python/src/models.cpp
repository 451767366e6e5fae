// The score targets: GaussianMixture and Mlp, with their files and a PyTorch state dict.

#include "arrays.hpp"
#include "bindings.hpp"

#include <langevin/activation.hpp>
#include <langevin/error.hpp>
#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <map>

namespace langevin::python {
namespace {

using namespace nb::literals;

std::vector<std::vector<double>> rows(nb::handle object, const std::string& name) {
  std::vector<std::vector<double>> result;
  if (nb::hasattr(object, "ndim") || nb::hasattr(object, "__dlpack__")) {
    const HostFloats values = host_floats(object, name);
    if (values.shape.size() != 2) {
      throw InvalidInput(name + ": an array of shape " + format_shape(values.shape) +
                         "; expected (components, d)");
    }
    for (std::int64_t k = 0; k < values.shape[0]; ++k) {
      const float* row = values.data + k * values.shape[1];
      result.emplace_back(row, row + values.shape[1]);
    }
    return result;
  }
  for (nb::handle row : object) result.push_back(doubles(row, name));
  return result;
}

nb::dict state_dict(const Mlp& mlp) {
  nb::dict tensors;
  for (std::size_t l = 0; l < mlp.layers().size(); ++l) {
    const DenseLayer& layer = mlp.layers()[l];
    const std::string name = std::to_string(2 * l);
    tensors[(name + ".weight").c_str()] = to_numpy(Array({layer.outputs, layer.inputs}, layer.weight));
    tensors[(name + ".bias").c_str()] = to_numpy(Array({layer.outputs}, layer.bias));
  }
  return tensors;
}

Mlp from_state_dict(nb::handle state_dict, const std::string& activation, nb::handle sigmas) {
  std::map<std::string, Array> tensors;
  nb::handle mapping = state_dict;
  for (nb::handle key : nb::iter(mapping.attr("keys")())) {
    const std::string name = nb::cast<std::string>(nb::str(key));
    nb::object value = mapping[key];
    // PyTorch tensors: detached and on the host first (NumPy reads them from there).
    if (nb::hasattr(value, "detach") && nb::hasattr(value, "cpu")) value = value.attr("detach")().attr("cpu")();
    tensors[name] = host_floats(value, "state_dict[\"" + name + "\"]").to_array();
  }
  return mlp_from_tensors(tensors, parse_activation(activation, "activation"),
                          doubles(sigmas, "sigmas"), "state_dict");
}

}  // namespace

void bind_models(nb::module_& m) {
  nb::class_<GaussianMixture>(m, "GaussianMixture",
                              "A Gaussian mixture with diagonal covariances in d dimensions: an "
                              "analytic target (score and log-density known).")
      .def(
          "__init__",
          [](GaussianMixture* self, nb::handle weights, nb::handle means, nb::handle stds) {
            new (self) GaussianMixture(doubles(weights, "weights"), rows(means, "means"),
                                       rows(stds, "stds"));
          },
          nb::sig("def __init__(self, weights: numpy.typing.ArrayLike, means: numpy.typing.ArrayLike, stds: numpy.typing.ArrayLike) -> None"),
          "weights"_a, "means"_a, "stds"_a,
          "K components: weights (K,), normalised to sum to 1; means and stds (K, d), stds "
          "positive. Raises ValueError naming the first entry that is wrong.")
      .def_static("from_json", &GaussianMixture::from_json, "text"_a, "source"_a = "mixture",
                  "Parses the mixture JSON of docs/FORMATS.md.")
      .def_static("load", &load_gmm, "path"_a, "Reads a mixture from a JSON file.")
      .def_prop_ro("dim", &GaussianMixture::dim)
      .def_prop_ro("components", &GaussianMixture::components)
      .def_prop_ro("weights", &GaussianMixture::weights)
      .def_prop_ro("means", &GaussianMixture::means)
      .def_prop_ro("stds", &GaussianMixture::stds)
      .def("convolved", &GaussianMixture::convolved, "sigma"_a,
           "The mixture convolved with N(0, sigma² I): the law of x + sigma z.")
      .def(
          "log_density",
          [](const GaussianMixture& self, nb::handle points) {
            const HostFloats x = host_points(points, "points");
            Array values = self.log_density(x.to_array());
            return to_numpy(std::move(values));
          },
          "points"_a, "log p at each row of points (N, d), in float32 like the sampler: (N,).")
      .def(
          "draw",
          [](const GaussianMixture& self, std::int64_t count, std::uint64_t seed) {
            return to_numpy(draw(self, count, seed));
          },
          "count"_a, "seed"_a = 0,
          "count exact draws (count, d); row i depends only on (seed, i).")
      .def("__repr__", [](const GaussianMixture& self) {
        return "GaussianMixture(components=" + std::to_string(self.components()) +
               ", dim=" + std::to_string(self.dim()) + ")";
      });
  m.def("load_gmm", &load_gmm, "path"_a, "Reads a mixture from a JSON file (docs/FORMATS.md).");

  nb::class_<Mlp>(m, "Mlp",
                  "The score model: an MLP d → H₁ → … → d with one hidden activation, float32; "
                  "noise-conditional models take log σ as one more input.")
      .def_static("load", &load_mlp, "path"_a, "Reads a model from a safetensors file.")
      .def("save", [](const Mlp& self, const std::string& path) { save_mlp(path, self); },
           "path"_a, "Writes the model as safetensors (atomically), as `langevin train` does.")
      .def_static("from_state_dict", &from_state_dict,
                  nb::sig("def from_state_dict(state_dict: collections.abc.Mapping[str, numpy.typing.ArrayLike], "
                          "activation: str = 'relu', "
                          "sigmas: collections.abc.Sequence[float] | None = None) -> Mlp"),
                  "state_dict"_a, "activation"_a = "relu",
                  "sigmas"_a = nb::none(),
                  "A model from a mapping of names to arrays or tensors, named as a PyTorch "
                  "nn.Sequential's state dict names its Linear layers ({i}.weight (out, in), "
                  "{i}.bias (out,), under one prefix or none). With sigmas, a noise-conditional "
                  "model s(x, σ) = net(x, log σ)/σ.")
      .def_static(
          "random",
          [](const std::vector<int>& widths, const std::string& activation, std::uint64_t seed) {
            return Mlp::random(widths, parse_activation(activation, "activation"), seed);
          },
          "widths"_a, "activation"_a = "relu", "seed"_a = 0,
          "Glorot-normal weights for the widths (d, H₁, …, d), from Philox: the same on every "
          "machine.")
      .def("state_dict", &state_dict,
           "The layers as NumPy arrays under the names of nn.Sequential(Linear, act, Linear, "
           "…): 0.weight, 0.bias, 2.weight, …; load_state_dict takes them.")
      .def_prop_ro("widths", &Mlp::widths)
      .def_prop_ro("activation", [](const Mlp& self) { return std::string(to_string(self.activation())); })
      .def_prop_ro("data_dim", &Mlp::data_dim)
      .def_prop_ro("input_dim", &Mlp::input_dim)
      .def_prop_ro("noise_conditional", &Mlp::noise_conditional)
      .def_prop_ro("noise_levels", &Mlp::noise_levels)
      .def_prop_ro("parameter_count", &Mlp::parameter_count)
      .def("__repr__", [](const Mlp& self) {
        std::string widths;
        for (int width : self.widths()) widths += (widths.empty() ? "" : ", ") + std::to_string(width);
        return "Mlp(widths=[" + widths + "], activation=" + to_string(self.activation()) +
               (self.noise_conditional()
                    ? ", levels=" + std::to_string(self.noise_levels().size())
                    : std::string()) +
               ")";
      });
  m.def("load_mlp", &load_mlp, "path"_a, "Reads a model from a safetensors file.");
  m.def("save_mlp", &save_mlp, "path"_a, "model"_a, "Writes a model as safetensors.");
  m.def("geometric_noise_levels", &geometric_noise_levels, "max"_a, "min"_a, "levels"_a,
        "σ₁ = max > … > σ_L = min, geometric: what --sigmas MAX,MIN,LEVELS gives.");
}

}  // namespace langevin::python
