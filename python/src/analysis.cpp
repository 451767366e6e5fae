// Scores at given points, comparisons and summaries of sample sets, HDF5 arrays.

#include "arrays.hpp"
#include "bindings.hpp"
#include "sampling.hpp"

#include <langevin/diagnostics.hpp>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <langevin/likelihood.hpp>
#include <langevin/score.hpp>
#include <langevin/stats.hpp>
#include <langevin/summary.hpp>

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

namespace langevin::python {
namespace {

using namespace nb::literals;

nb::object score(nb::handle target, nb::handle points, nb::handle sigma,
                 const std::string& backend, const std::string& score_form, nb::handle out) {
  const Target source = target_of(target);
  const int dim = std::visit([](const auto& t) {
    if constexpr (std::is_same_v<std::decay_t<decltype(t)>, Mlp>) return t.data_dim();
    else return t.dim();
  }, source);
  const HostFloats x = host_points(points, "points");
  if (x.shape[1] != dim) {
    throw InvalidInput("points: shape " + format_shape(x.shape) + " for a score in " +
                       std::to_string(dim) + " dimensions: expected (N, " + std::to_string(dim) +
                       ")");
  }
  const Backend where = parse_backend(backend, "backend");
  const ScoreForm form = parse_score_form(score_form, "score_form");
  const double level = sigma.is_none() ? 0.0 : nb::cast<double>(sigma);
  if (const auto* mixture = std::get_if<GaussianMixture>(&source); mixture && level != 0.0) {
    throw InvalidInput("sigma: a mixture's score takes no noise level (use its convolved(sigma))");
  }
  auto compute = [&](float* scores) {
    nb::gil_scoped_release release;
    if (const auto* mixture = std::get_if<GaussianMixture>(&source)) {
      score_into(*mixture, x.data, x.shape[0], scores, where);
    } else {
      score_into(std::get<Mlp>(source), x.data, x.shape[0], scores, level, where, form);
    }
  };
  if (!out.is_none()) {
    compute(output_array(out, x.shape, false).data);
    return nb::borrow(out);
  }
  Array scores(x.shape);
  compute(scores.data());
  return to_numpy(std::move(scores));
}

}  // namespace

HistogramSpec histogram_of(int bins, nb::handle range) {
  HistogramSpec histogram;
  histogram.bins = bins;
  if (!range.is_none()) {
    const std::vector<double> bounds = doubles(range, "range");
    if (bounds.size() != 2) throw InvalidInput("range: expected (low, high)");
    histogram.low = bounds[0];
    histogram.high = bounds[1];
  } else if (bins > 0) {
    throw InvalidInput("bins = " + std::to_string(bins) + ": give range=(low, high) too");
  }
  validate(histogram, "bins, range");
  return histogram;
}

void bind_analysis(nb::module_& m) {
  m.def("score", &score,
        nb::sig("def score(target: GaussianMixture | Mlp | str | os.PathLike[str], points: numpy.typing.ArrayLike, sigma: float | None = None, *, "
                "backend: str = 'auto', score_form: str = 'auto', out: object | None = None) "
                "-> numpy.typing.NDArray[numpy.float32]"),
        "target"_a, "points"_a, "sigma"_a = nb::none(), nb::kw_only(),
        "backend"_a = "auto", "score_form"_a = "auto", "out"_a = nb::none(),
        "∇ log p (a mixture) or s_θ (a model; a noise-conditional one at level sigma) at each "
        "row of points (N, d): the s the sampler steps with. float32 C-order points are read "
        "in place; out: a float32 (N, d) array to write into.");

  nb::class_<Likelihood>(m, "Likelihood",
                         "Log-likelihoods of points by the probability-flow ODE "
                         "(log_likelihood).")
      .def_prop_ro("log_density",
                   [](const Likelihood& self) { return to_numpy(self.log_density); },
                   "(N,) float32: log p(x) at the lowest noise level, nats (NaN: failed)")
      .def_prop_ro("latent", [](const Likelihood& self) { return to_numpy(self.latent); },
                   "(N, d) float32: each point carried to the highest level")
      .def_ro("evaluations", &Likelihood::evaluations,
              "per point, the ODE's right-hand-side evaluations")
      .def_prop_ro("divergence",
                   [](const Likelihood& self) { return std::string(to_string(self.divergence)); },
                   "\"exact\" or \"hutchinson\": what ran")
      .def_ro("sigmas", &Likelihood::sigmas)
      .def_ro("dim", &Likelihood::dim)
      .def_prop_ro("failed", &Likelihood::failed)
      .def_prop_ro("mean_log_density", &Likelihood::mean_log_density)
      .def_prop_ro("bits_per_dim", &Likelihood::bits_per_dim,
                   "−mean log p / (d ln 2) over the finite points");
  m.def(
      "log_likelihood",
      [](nb::handle target, nb::handle points, nb::handle sigmas, const std::string& divergence,
         int probes, std::uint64_t seed, std::int64_t first_point, double rtol, double atol,
         const std::string& backend, int device) {
        const Target source = target_of(target);
        LikelihoodConfig config;
        if (!sigmas.is_none()) config.sigmas = nb::cast<std::vector<double>>(sigmas);
        config.divergence = parse_divergence(divergence, "divergence");
        config.probes = probes;
        config.seed = seed;
        config.first_point = first_point;
        config.rtol = rtol;
        config.atol = atol;
        config.backend = parse_backend(backend, "backend");
        config.device = device;
        const Array x = host_points(points, "points").to_array();
        nb::gil_scoped_release release;
        if (const auto* mixture = std::get_if<GaussianMixture>(&source)) {
          return log_likelihood(*mixture, x, config);
        }
        return log_likelihood(std::get<Mlp>(source), x, config);
      },
      nb::sig("def log_likelihood(target: GaussianMixture | Mlp | str | os.PathLike[str], "
              "points: numpy.typing.ArrayLike, *, sigmas: collections.abc.Sequence[float] | None "
              "= None, divergence: str = 'auto', probes: int = 1, seed: int = 0, "
              "first_point: int = 0, rtol: float = 1e-05, atol: float = 1e-05, "
              "backend: str = 'auto', device: int = -1) -> Likelihood"),
      "target"_a, "points"_a, nb::kw_only(), "sigmas"_a = nb::none(), "divergence"_a = "auto",
      "probes"_a = LikelihoodConfig{}.probes, "seed"_a = 0, "first_point"_a = 0,
      "rtol"_a = kDefaultOdeTolerance, "atol"_a = kDefaultOdeTolerance, "backend"_a = "auto",
      "device"_a = -1,
      "log p(x) of each row of points (N, d) at the lowest noise level, by the probability-flow "
      "ODE from there to the highest (the prior N(0, sigma_1^2 I)): `langevin likelihood`. A "
      "mixture needs sigmas (decreasing); a noise-conditional model runs over its own unless "
      "given. divergence: 'auto' (exact for a mixture and models up to d = 16), 'exact', or "
      "'hutchinson' (probes Rademacher vectors keyed by seed and each point's index "
      "first_point + i).");

  nb::class_<Comparison>(m, "Comparison",
                         "Two sample sets compared per coordinate: KS distance and p-value, "
                         "Wasserstein-1, moments, mass above a split, component weights.")
      .def_ro("dim", &Comparison::dim)
      .def_ro("count_a", &Comparison::count_a)
      .def_ro("count_b", &Comparison::count_b)
      .def_ro("ks", &Comparison::ks)
      .def_ro("ks_p_value", &Comparison::ks_p_value)
      .def_ro("wasserstein1", &Comparison::wasserstein1)
      .def_ro("mean_a", &Comparison::mean_a)
      .def_ro("mean_b", &Comparison::mean_b)
      .def_ro("std_a", &Comparison::std_a)
      .def_ro("std_b", &Comparison::std_b)
      .def_ro("split", &Comparison::split)
      .def_ro("above_a", &Comparison::above_a)
      .def_ro("above_b", &Comparison::above_b)
      .def_ro("sliced_wasserstein", &Comparison::sliced_wasserstein)
      .def_ro("component_weights_a", &Comparison::component_weights_a)
      .def_ro("component_weights_b", &Comparison::component_weights_b)
      .def_ro("component_weights_true", &Comparison::component_weights_true)
      .def("to_json", [](const Comparison& c) { return to_json(c); });

  nb::class_<Diagnostics>(m, "Diagnostics",
                          "Convergence diagnostics of a trajectory, one value per coordinate "
                          "(Vehtari et al. 2021, as ArviZ computes them).")
      .def_ro("chains", &Diagnostics::chains)
      .def_ro("draws", &Diagnostics::draws)
      .def_ro("dim", &Diagnostics::dim)
      .def_ro("rhat", &Diagnostics::rhat, "rank-normalised split R̂ (bulk or folded, the larger)")
      .def_ro("ess_bulk", &Diagnostics::ess_bulk)
      .def_ro("ess_tail", &Diagnostics::ess_tail)
      .def_ro("mean", &Diagnostics::mean)
      .def_ro("sd", &Diagnostics::sd)
      .def_ro("mcse_mean", &Diagnostics::mcse_mean)
      .def_ro("superchains", &Diagnostics::superchains)
      .def_ro("nested_rhat", &Diagnostics::nested_rhat, "with superchains: nested R̂, else empty")
      .def("to_json", [](const Diagnostics& d) { return to_json(d); });
  m.def(
      "diagnose",
      [](nb::handle trajectory, std::int64_t superchains) {
        if (nb::isinstance<nb::str>(trajectory) ||
            nb::hasattr(trajectory, "__fspath__")) {  // a file: mapped where it can be
          const std::string path = nb::cast<std::string>(nb::str(trajectory));
          nb::gil_scoped_release release;
          return diagnose_file(path, superchains);
        }
        const Array draws = host_floats(trajectory, "trajectory").to_array();
        nb::gil_scoped_release release;
        return diagnose(draws, superchains);
      },
      nb::sig("def diagnose(trajectory: numpy.typing.ArrayLike | str | os.PathLike[str], *, "
              "superchains: int = 0) -> Diagnostics"),
      "trajectory"_a, nb::kw_only(), "superchains"_a = 0,
      "Rank-normalised split R̂, bulk and tail ESS and the mean's MCSE per coordinate of a "
      "trajectory (chains, draws, d) or (chains, draws), as sample(keep=\"trajectory\") returns "
      "it, or of a .npy/.h5 file holding one (a float32 .npy is mapped, not read: files larger "
      "than memory work): `langevin diagnose`; superchains > 0: also the nested R̂ of that many "
      "groups of consecutive chains.");

  m.def(
      "compare",
      [](nb::handle a, nb::handle b, double split, nb::handle mixture, int projections,
         std::uint64_t seed, const std::string& backend) {
        CompareOptions options;
        options.split = split;
        options.projections = projections;
        options.seed = seed;
        options.backend = parse_backend(backend, "backend");
        GaussianMixture target({1.0}, {{0.0}}, {{1.0}});
        if (!mixture.is_none()) {
          target = nb::cast<GaussianMixture>(mixture);
          options.mixture = &target;
        }
        const Array first = host_floats(a, "a").to_array();
        const Array second = host_floats(b, "b").to_array();
        nb::gil_scoped_release release;
        return compare(first, second, options);
      },
      nb::sig("def compare(a: numpy.typing.ArrayLike, b: numpy.typing.ArrayLike, *, split: float = 1.5, "
              "mixture: GaussianMixture | None = None, projections: int = 128, seed: int = 0, "
              "backend: str = 'auto') -> Comparison"),
      "a"_a, "b"_a, nb::kw_only(), "split"_a = CompareOptions{}.split, "mixture"_a = nb::none(),
      "projections"_a = CompareOptions{}.projections, "seed"_a = CompareOptions{}.seed,
      "backend"_a = "auto",
      "Compares the rows of a (N_a, d) with those of b (N_b, d) — (N,) as (N, 1), (N, T, d) "
      "trajectories as (N·T, d): `langevin compare`. With a mixture, each set's component "
      "weights.");

  m.def(
      "summarize",
      [](nb::handle rows, int bins, nb::handle range) {
        const HistogramSpec histogram = histogram_of(bins, range);
        const Array values = host_floats(rows, "rows").to_array();
        nb::gil_scoped_release release;
        return summarize(values, histogram);
      },
      nb::sig("def summarize(rows: numpy.typing.ArrayLike, *, bins: int = 0, "
              "range: tuple[float, float] | None = None) -> SampleSummary"),
      "rows"_a, nb::kw_only(), "bins"_a = 0, "range"_a = nb::none(),
      "The running statistics of an array's rows (N, d), (N,) or (N, T, d): a SampleSummary.");

  m.def(
      "read_hdf5",
      [](const std::string& path, const std::string& dataset) {
        return to_numpy(read_hdf5(path, dataset));
      },
      "path"_a, "dataset"_a = "",
      "A dataset of an HDF5 file as float32 (empty dataset: \"samples\", else \"data\", else "
      "the only one).");
  m.def(
      "write_hdf5",
      [](const std::string& path, nb::handle array, const std::string& dataset,
         const Hdf5Attributes& attributes) {
        write_hdf5(path, dataset, host_floats(array, "array").to_array(), attributes);
      },
      "path"_a, "array"_a, "dataset"_a = "samples", "attributes"_a = Hdf5Attributes{},
      "Writes a float32 dataset with attributes on the root group, atomically (as the CLI's "
      ".h5 outputs).");
  m.def("read_hdf5_attributes", &read_hdf5_attributes, "path"_a,
        "The root group's attributes of an HDF5 file.");
}

}  // namespace langevin::python
