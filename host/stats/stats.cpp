// Implementation of include/langevin/stats.hpp on the CPU: validation, the per-coordinate
// statistics, the JSON form and the ECDF plot. cuda/stats.cu computes the same statistics on the
// GPU in the same order of steps (column → check → moments → sort → merge of the two ECDFs).

#include "io/atomic_file.hpp"
#include "stats_detail.hpp"
#include "svg_text.hpp"

#include <langevin/device_buffer.hpp>
#include <langevin/error.hpp>
#include <langevin/stats.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace langevin {
namespace {

/// Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²), the limit law of √(n_a n_b/(n_a+n_b)) · D.
/// The alternating series converges slowly for small λ; there its Jacobi-theta twin
/// 1 − (√(2π)/λ) Σ_{k≥1} exp(−(2k−1)²π²/(8λ²)) converges in a few terms instead. At the switch
/// λ = 1.18 both reach 1e-17 within four terms.
double kolmogorov_survival(double lambda) {
  if (!(lambda > 0.0)) return 1.0;
  constexpr double kPi = 3.14159265358979323846;
  constexpr double kNegligible = 1e-17;
  double result = 0.0;
  if (lambda < 1.18) {
    double sum = 0.0;
    for (int k = 1; k < 100; ++k) {
      const double odd = 2.0 * k - 1.0;
      const double term = std::exp(-odd * odd * kPi * kPi / (8.0 * lambda * lambda));
      sum += term;
      if (term < kNegligible) break;
    }
    result = 1.0 - std::sqrt(2.0 * kPi) / lambda * sum;
  } else {
    double sum = 0.0;
    for (int k = 1; k < 100; ++k) {
      const double term = std::exp(-2.0 * k * k * lambda * lambda);
      sum += (k % 2 == 1) ? term : -term;
      if (term < kNegligible) break;
    }
    result = 2.0 * sum;
  }
  return std::clamp(result, 0.0, 1.0);
}

}  // namespace

namespace detail {

double ks_p_value(double ks, std::int64_t count_a, std::int64_t count_b) {
  const double na = static_cast<double>(count_a);
  const double nb = static_cast<double>(count_b);
  return kolmogorov_survival(std::sqrt(na * nb / (na + nb)) * ks);
}

}  // namespace detail

namespace {

/// A sample set as rows of `dim` floats, without a copy.
struct Rows {
  const float* data = nullptr;
  std::int64_t count = 0;
  int dim = 0;
  std::int64_t steps = 0;  // T of an (N, T, d) trajectory (to name chain and step), else 0
};

std::string value_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// (N,) → N rows of 1; (N, d) as is; (N, T, d) → N·T rows of d.
Rows as_rows(const Array& array, const std::string& set) {
  const int rank = array.rank();
  if (rank < 1 || rank > 3) {
    throw InvalidInput(set + " of shape " + array.shape_string() +
                       ": expected (N,), (N, d) or a trajectory (N, T, d)");
  }
  const std::int64_t dim = rank == 1 ? 1 : array.dim(rank - 1);
  if (array.size() == 0) {
    throw InvalidInput(set + " of shape " + array.shape_string() + " is empty");
  }
  if (dim > std::numeric_limits<int>::max()) {
    throw InvalidInput(set + " of shape " + array.shape_string() + ": too many coordinates");
  }
  Rows rows;
  rows.data = array.data();
  rows.dim = static_cast<int>(dim);
  rows.count = array.size() / dim;
  rows.steps = rank == 3 ? array.dim(1) : 0;
  return rows;
}

/// NaN or ±Inf would make the sort and every statistic meaningless: name the first one.
void require_finite(const Rows& rows, const std::string& set) {
  const std::int64_t total = rows.count * rows.dim;
  const float* bad = std::find_if(rows.data, rows.data + total,
                                  [](float value) { return !std::isfinite(value); });
  if (bad == rows.data + total) return;
  const std::int64_t index = bad - rows.data;
  const std::int64_t row = index / rows.dim;
  std::string where = "row " + std::to_string(row);
  if (rows.steps > 0) {
    where += " (chain " + std::to_string(row / rows.steps) + ", step " +
             std::to_string(row % rows.steps) + ")";
  }
  throw InvalidInput(set + ", " + where + ", coordinate " + std::to_string(index % rows.dim) +
                     ": " + value_text(*bad) + " is not finite");
}

void require_same_dim(const Rows& a, const Rows& b) {
  if (a.dim != b.dim) {
    throw InvalidInput("set A has " + std::to_string(a.dim) + " coordinates per row, set B " +
                       std::to_string(b.dim) + ": they must be the same");
  }
}

std::vector<float> column(const Rows& rows, int coordinate) {
  std::vector<float> values(static_cast<std::size_t>(rows.count));
  for (std::int64_t row = 0; row < rows.count; ++row) {
    values[static_cast<std::size_t>(row)] = rows.data[row * rows.dim + coordinate];
  }
  return values;
}

struct Moments {
  double mean = 0.0;
  double std = 0.0;    // unbiased; 0 for a single value (no spread to estimate)
  double above = 0.0;  // fraction of values > split
};

/// Two passes in double: the mean, then squared deviations from it (no cancellation).
Moments moments(const std::vector<float>& values, double split) {
  const double n = static_cast<double>(values.size());
  double sum = 0.0;
  std::int64_t above = 0;
  for (const float value : values) {
    sum += value;
    above += static_cast<double>(value) > split ? 1 : 0;
  }
  Moments m;
  m.mean = sum / n;
  double squares = 0.0;
  for (const float value : values) {
    const double deviation = static_cast<double>(value) - m.mean;
    squares += deviation * deviation;
  }
  m.std = values.size() > 1 ? std::sqrt(squares / (n - 1.0)) : 0.0;
  m.above = static_cast<double>(above) / n;
  return m;
}

/// |F_A − F_B| once `a_through` values of A and `b_through` of B are ≤ the current value.
/// EcdfStep::gap in cuda/stats.cu is the same expression, so that the two backends' KS distances
/// agree to the last bit.
double ecdf_gap(std::int64_t a_through, std::int64_t count_a, std::int64_t b_through,
                std::int64_t count_b) {
  return std::fabs(static_cast<double>(a_through) / static_cast<double>(count_a) -
                   static_cast<double>(b_through) / static_cast<double>(count_b));
}

struct EcdfDistances {
  double ks = 0.0;
  double wasserstein1 = 0.0;
};

/// Walks the two sorted sets in merged order. The ECDF difference is measured only after all
/// copies of a value in either set have been passed: measuring between tied copies would see a
/// gap that exists at no x. Between consecutive distinct values x_k < x_{k+1} the difference is
/// constant, which gives W1 = Σ |F_A(x_k) − F_B(x_k)| (x_{k+1} − x_k).
EcdfDistances ecdf_distances(const std::vector<float>& a, const std::vector<float>& b) {
  const std::size_t na = a.size();
  const std::size_t nb = b.size();
  std::size_t i = 0;
  std::size_t j = 0;
  const auto next_value = [&] {
    if (i == na) return b[j];
    if (j == nb) return a[i];
    return std::min(a[i], b[j]);
  };
  EcdfDistances distances;
  while (i < na || j < nb) {
    const float value = next_value();
    while (i < na && a[i] == value) ++i;
    while (j < nb && b[j] == value) ++j;
    const double gap = ecdf_gap(static_cast<std::int64_t>(i), static_cast<std::int64_t>(na),
                                static_cast<std::int64_t>(j), static_cast<std::int64_t>(nb));
    distances.ks = std::max(distances.ks, gap);
    if (i < na || j < nb) {
      distances.wasserstein1 += gap * (static_cast<double>(next_value()) - value);
    }
  }
  return distances;
}

}  // namespace

double detail::sorted_wasserstein1(const std::vector<float>& a, const std::vector<float>& b) {
  return ecdf_distances(a, b).wasserstein1;
}

namespace {

Comparison empty_comparison(const Rows& a, const Rows& b, double split) {
  Comparison c;
  c.dim = a.dim;
  c.count_a = a.count;
  c.count_b = b.count;
  c.split = split;
  const std::size_t d = static_cast<std::size_t>(a.dim);
  for (auto* field : {&c.ks, &c.ks_p_value, &c.wasserstein1, &c.mean_a, &c.mean_b, &c.std_a,
                      &c.std_b, &c.above_a, &c.above_b}) {
    field->assign(d, 0.0);
  }
  return c;
}

Comparison compare_on_cpu(const Rows& a, const Rows& b, double split) {
  Comparison c = empty_comparison(a, b, split);
  // Coordinates are independent: one per thread (each sorts its own copies).
#pragma omp parallel for schedule(dynamic)
  for (int coordinate = 0; coordinate < a.dim; ++coordinate) {
    std::vector<float> column_a = column(a, coordinate);
    std::vector<float> column_b = column(b, coordinate);
    const Moments moments_a = moments(column_a, split);
    const Moments moments_b = moments(column_b, split);
    std::sort(column_a.begin(), column_a.end());
    std::sort(column_b.begin(), column_b.end());
    const EcdfDistances distances = ecdf_distances(column_a, column_b);

    const std::size_t k = static_cast<std::size_t>(coordinate);
    c.ks[k] = distances.ks;
    c.ks_p_value[k] = detail::ks_p_value(distances.ks, a.count, b.count);
    c.wasserstein1[k] = distances.wasserstein1;
    c.mean_a[k] = moments_a.mean;
    c.std_a[k] = moments_a.std;
    c.above_a[k] = moments_a.above;
    c.mean_b[k] = moments_b.mean;
    c.std_b[k] = moments_b.std;
    c.above_b[k] = moments_b.above;
  }
  return c;
}

// ---- the ECDF plot ----------------------------------------------------------------------------

constexpr std::size_t kMaxCurvePoints = 2000;

/// The sorted values of one coordinate and their ECDF heights, at most kMaxCurvePoints of them:
/// beyond that, evenly spaced ranks (always ending at the largest value, height 1).
struct Curve {
  std::vector<double> x;
  std::vector<double> height;
};

Curve ecdf_curve(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const std::size_t points = std::min(n, kMaxCurvePoints);
  Curve curve;
  for (std::size_t k = 1; k <= points; ++k) {
    const std::size_t rank = (k * n) / points;  // 1 … n, the number of values ≤ x
    curve.x.push_back(values[rank - 1]);
    curve.height.push_back(static_cast<double>(rank) / static_cast<double>(n));
  }
  return curve;
}

/// Axis ticks at 1, 2 or 5 × 10^k, about `target` of them inside [low, high].
std::vector<double> nice_ticks(double low, double high, int target) {
  const double raw_step = (high - low) / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = magnitude;
  for (const double factor : {2.0, 5.0, 10.0}) {
    if (step >= raw_step) break;
    step = factor * magnitude;
  }
  std::vector<double> ticks;
  for (double k = std::ceil(low / step); k * step <= high + 1e-9 * step; k += 1.0) {
    // k · step, not repeated additions: no drift such as 0.30000000000000004.
    const double tick = k * step;
    ticks.push_back(std::fabs(tick) < 1e-9 * step ? 0.0 : tick);
  }
  return ticks;
}

/// Where the plot's data area lies in the picture, and the data ranges mapped onto it.
struct Frame {
  double left = 70, right = 610, top = 50, bottom = 350;  // pixels
  double x_low = 0, x_high = 1;
  double px(double x) const { return left + (x - x_low) / (x_high - x_low) * (right - left); }
  double py(double f) const { return bottom - f * (bottom - top); }
};

/// The ECDF as a right-continuous staircase: flat until each value, then up to its height.
std::string staircase_path(const Curve& curve, const Frame& frame, const char* colour) {
  std::ostringstream d;
  d.precision(6);
  d << "M" << frame.left << " " << frame.py(0.0);
  for (std::size_t k = 0; k < curve.x.size(); ++k) {
    d << "H" << frame.px(curve.x[k]) << "V" << frame.py(curve.height[k]);
  }
  d << "H" << frame.right;
  return std::string("<path d=\"") + d.str() + "\" fill=\"none\" stroke=\"" + colour +
         "\" stroke-width=\"1.8\" stroke-linejoin=\"round\"/>\n";
}

std::string axes(const Frame& frame, int coordinate) {
  std::ostringstream svg;
  svg.precision(6);
  for (const double x : nice_ticks(frame.x_low, frame.x_high, 7)) {
    const double px = frame.px(x);
    svg << "<line x1=\"" << px << "\" y1=\"" << frame.top << "\" x2=\"" << px << "\" y2=\""
        << frame.bottom << "\" stroke=\"#e5e5e5\"/>\n"
        << "<text x=\"" << px << "\" y=\"" << frame.bottom + 18
        << "\" text-anchor=\"middle\">" << svg::number(x) << "</text>\n";
  }
  for (const double f : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double py = frame.py(f);
    svg << "<line x1=\"" << frame.left << "\" y1=\"" << py << "\" x2=\"" << frame.right
        << "\" y2=\"" << py << "\" stroke=\"#e5e5e5\"/>\n"
        << "<text x=\"" << frame.left - 8 << "\" y=\"" << py + 4 << "\" text-anchor=\"end\">"
        << svg::number(f) << "</text>\n";
  }
  svg << "<rect x=\"" << frame.left << "\" y=\"" << frame.top << "\" width=\""
      << frame.right - frame.left << "\" height=\"" << frame.bottom - frame.top
      << "\" fill=\"none\" stroke=\"#333\"/>\n"
      << "<text x=\"" << (frame.left + frame.right) / 2 << "\" y=\"" << frame.bottom + 40
      << "\" text-anchor=\"middle\">x (coordinate " << coordinate << ")</text>\n"
      << "<text transform=\"translate(22 " << (frame.top + frame.bottom) / 2
      << ") rotate(-90)\" text-anchor=\"middle\">F(x)</text>\n";
  return svg.str();
}

/// One legend line: a short stroke in the curve's colour, then its label.
std::string legend_entry(double x, double y, const std::string& label, const char* colour) {
  std::ostringstream svg;
  svg.precision(6);
  svg << "<line x1=\"" << x << "\" y1=\"" << y - 4 << "\" x2=\"" << x + 24 << "\" y2=\"" << y - 4
      << "\" stroke=\"" << colour << "\" stroke-width=\"3\"/>\n"
      << "<text x=\"" << x + 32 << "\" y=\"" << y << "\">" << svg::escaped(label) << "</text>\n";
  return svg.str();
}

/// Top left of the data area: ECDFs rise from bottom left to top right and leave it empty.
std::string legend(const Frame& frame, const std::string& label_a, const std::string& label_b,
                   const char* colour_a, const char* colour_b) {
  const double x = frame.left + 14;
  const double y = frame.top + 20;
  // A light backing keeps the labels readable where a curve does pass underneath; its width
  // allows about 7 pixels per character of the 12-pixel font.
  const std::size_t longest = std::max(label_a.size(), label_b.size());
  std::ostringstream backing;
  backing << "<rect x=\"" << x - 8 << "\" y=\"" << y - 16 << "\" width=\"" << 48 + 7 * longest
          << "\" height=\"44\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n";
  return backing.str() + legend_entry(x, y, label_a, colour_a) +
         legend_entry(x, y + 20, label_b, colour_b);
}

}  // namespace

Comparison compare(const Array& a, const Array& b, const CompareOptions& options) {
  const Rows rows_a = as_rows(a, "set A");
  const Rows rows_b = as_rows(b, "set B");
  require_same_dim(rows_a, rows_b);
  require_finite(rows_a, "set A");
  require_finite(rows_b, "set B");
  if (!std::isfinite(options.split)) {
    throw InvalidInput("split = " + value_text(options.split) + ": must be finite");
  }
  Comparison c;
  if (resolve(options.backend) == Backend::Cuda) {
    const DeviceBuffer<float> device_a(rows_a.data, static_cast<std::size_t>(a.size()));
    const DeviceBuffer<float> device_b(rows_b.data, static_cast<std::size_t>(b.size()));
    c = compare_on_device(device_a.data(), rows_a.count, device_b.data(), rows_b.count,
                          rows_a.dim, options.split);
  } else {
    c = compare_on_cpu(rows_a, rows_b, options.split);
  }
  // The multivariate summaries, on the CPU (host/stats_multivariate.cpp).
  const Array points_a({rows_a.count, rows_a.dim},
                       std::vector<float>(rows_a.data, rows_a.data + a.size()));
  const Array points_b({rows_b.count, rows_b.dim},
                       std::vector<float>(rows_b.data, rows_b.data + b.size()));
  c.sliced_wasserstein = rows_a.dim >= 2
                             ? sliced_wasserstein(points_a, points_b, options.projections, options.seed)
                             : std::numeric_limits<double>::quiet_NaN();
  if (options.mixture != nullptr) {
    c.component_weights_a = component_weights(points_a, *options.mixture);
    c.component_weights_b = component_weights(points_b, *options.mixture);
    c.component_weights_true = options.mixture->weights();
  }
  return c;
}

std::string to_json(const Comparison& c) {
  // ordered_json: the fields in the order of Comparison, not alphabetical.
  const nlohmann::ordered_json json = {
      {"dim", c.dim},
      {"count_a", c.count_a},
      {"count_b", c.count_b},
      {"split", c.split},
      {"ks", c.ks},
      {"ks_p_value", c.ks_p_value},
      {"wasserstein1", c.wasserstein1},
      {"sliced_wasserstein", std::isfinite(c.sliced_wasserstein) ? nlohmann::ordered_json(c.sliced_wasserstein) : nlohmann::ordered_json(nullptr)},
      {"component_weights_a", c.component_weights_a},
      {"component_weights_b", c.component_weights_b},
      {"component_weights_true", c.component_weights_true},
      {"mean_a", c.mean_a},
      {"mean_b", c.mean_b},
      {"std_a", c.std_a},
      {"std_b", c.std_b},
      {"above_a", c.above_a},
      {"above_b", c.above_b},
  };
  return json.dump(2);
}

void write_ecdf_svg(const std::string& path, const Array& a, const Array& b,
                    const std::string& label_a, const std::string& label_b, int coordinate) {
  const Rows rows_a = as_rows(a, "set A");
  const Rows rows_b = as_rows(b, "set B");
  require_same_dim(rows_a, rows_b);
  if (coordinate < 0 || coordinate >= rows_a.dim) {
    throw InvalidInput("plot coordinate " + std::to_string(coordinate) + ": the sets have " +
                       std::to_string(rows_a.dim) + " coordinates");
  }
  require_finite(rows_a, "set A");
  require_finite(rows_b, "set B");
  const Curve curve_a = ecdf_curve(column(rows_a, coordinate));
  const Curve curve_b = ecdf_curve(column(rows_b, coordinate));

  Frame frame;
  const double low = std::min(curve_a.x.front(), curve_b.x.front());
  const double high = std::max(curve_a.x.back(), curve_b.x.back());
  // A margin of 5 % each side so that the first and last steps are visible (1 for a single point).
  const double margin = high > low ? 0.05 * (high - low) : 1.0;
  frame.x_low = low - margin;
  frame.x_high = high + margin;

  const char* colour_a = "#1f77b4";
  const char* colour_b = "#d95f02";
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\" "
      "viewBox=\"0 0 640 400\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"640\" height=\"400\" fill=\"white\"/>\n"
      "<text x=\"340\" y=\"30\" text-anchor=\"middle\" font-size=\"16\" "
      "font-weight=\"bold\">ECDF</text>\n";
  svg += axes(frame, coordinate);
  svg += staircase_path(curve_a, frame, colour_a);
  svg += staircase_path(curve_b, frame, colour_b);
  svg += legend(frame, label_a, label_b, colour_a, colour_b);
  svg += "</svg>\n";
  detail::write_file_atomically(path, [&](std::FILE* file) {
    std::fwrite(svg.data(), 1, svg.size(), file);
  });
}

}  // namespace langevin
