#include "run/hinge_form.hpp"

#include <cmath>
#include <limits>

namespace langevin::detail {

std::optional<HingeForm> hinge_form(const Mlp& model) {
  const std::vector<int> widths = model.widths();
  const bool applies = !model.noise_conditional() && model.activation() == Activation::Relu &&
                       widths.size() == 3 && widths[0] == 1 && widths[2] == 1;
  if (!applies) return std::nullopt;
  const DenseLayer& first = model.layers()[0];
  const DenseLayer& last = model.layers()[1];
  const int hidden = widths[1];
  const int units = (hidden + device::kHingeSums - 1) / device::kHingeSums * device::kHingeSums;
  HingeForm form;
  form.pairs.assign(2 * static_cast<std::size_t>(units), 0.0f);  // pads: (0, 0)
  double c0 = last.bias[0];
  double c1 = 0.0;
  const double largest = std::numeric_limits<float>::max();
  for (int j = 0; j < hidden; ++j) {
    const double a = first.weight[j], b = first.bias[j], w = last.weight[j];
    if (a == 0.0) {  // a constant unit
      c0 += w * std::max(b, 0.0);
      continue;
    }
    const double t = -b / a, v = w * std::abs(a);
    if (std::abs(t) > 1e30) {
      // A breakpoint beyond any state a chain reaches: relu(a x + b) is either a x + b or 0
      // throughout, so the unit joins the line or drops out.
      if ((a > 0) == (t < 0)) {
        c0 += w * b;
        c1 += w * a;
      }
      continue;
    }
    if (!(std::abs(v) <= largest)) return std::nullopt;
    form.pairs[2 * static_cast<std::size_t>(j)] = static_cast<float>(t) + 0.0f;  // −0 → +0
    form.pairs[2 * static_cast<std::size_t>(j) + 1] = static_cast<float>(v);
    if (a > 0) c0 -= v * t; else c1 -= v;
  }
  if (!(std::abs(c0) <= largest && std::abs(c1) <= largest)) return std::nullopt;
  form.c0 = static_cast<float>(c0);
  form.c1 = static_cast<float>(c1);
  return form;
}

}  // namespace langevin::detail
