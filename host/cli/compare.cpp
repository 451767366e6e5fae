// langevin compare A.npy B.npy [--plot plot.svg] [--json] [--split X] [--gmm mixture.json]: per
// coordinate KS and Wasserstein-1 distances, means, standard deviations and mode weights of two
// sample sets; in d ≥ 2 the sliced Wasserstein distance, and with a mixture its components'
// weights (docs/CLI.md).

#include "commands.hpp"
#include "common.hpp"

#include <langevin/stats.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

namespace langevin::cli {
namespace {

struct CompareCommandOptions {
  CommonOptions common;
  std::string path_a;
  std::string path_b;
  std::string plot;
  double split = langevin::CompareOptions{}.split;
  std::string gmm;
};

template <class... Values>
std::string row_text(const char* format, Values... values) {
  char line[512];
  std::snprintf(line, sizeof line, format, values...);
  return line;
}

/// The rows of an (N, d) or (N, T, d) set as (N·T, d) points.
Array as_points(const Array& set) {
  const std::int64_t d = set.dim(set.rank() - 1);
  return Array({set.size() / d, d}, set.values());
}

/// One line per coordinate, columns aligned under their headers.
void print_table(const Comparison& c, const CompareCommandOptions& options) {
  std::cout << "A: " << options.path_a << " (" << c.count_a << " rows)\n"
            << "B: " << options.path_b << " (" << c.count_b << " rows)\n";
  const std::string above = ">" + engineering(c.split);
  std::cout << row_text("%5s %9s %9s %10s %10s %10s %10s %10s %8s %8s\n", "coord", "KS", "p-value",
                        "W1", "mean A", "std A", "mean B", "std B", (above + " A").c_str(),
                        (above + " B").c_str());
  for (int k = 0; k < c.dim; ++k) {
    std::cout << row_text("%5d %9.4f %9.3g %10.4g %10.4g %10.4g %10.4g %10.4g %8.4f %8.4f\n", k,
                          c.ks[k], c.ks_p_value[k], c.wasserstein1[k], c.mean_a[k], c.std_a[k],
                          c.mean_b[k], c.std_b[k], c.above_a[k], c.above_b[k]);
  }
  if (std::isfinite(c.sliced_wasserstein)) {
    std::cout << "sliced Wasserstein-1 (A, B): " << row_text("%.4g", c.sliced_wasserstein) << "\n";
  }
  if (!c.component_weights_true.empty()) {
    std::cout << "\nweights by most likely component of " << options.gmm << ":\n"
              << row_text("%9s %9s %9s %9s\n", "component", "mixture", "A", "B");
    for (std::size_t k = 0; k < c.component_weights_true.size(); ++k) {
      std::cout << row_text("%9zu %9.4f %9.4f %9.4f\n", k, c.component_weights_true[k],
                            c.component_weights_a[k], c.component_weights_b[k]);
    }
  }
}

void run_compare(const CompareCommandOptions& options) {
  if (!options.plot.empty()) check_output_path(options.plot, {".svg"}, "--plot");
  if (!std::isfinite(options.split)) {
    throw InvalidInput("--split = " + engineering(options.split) + ": must be finite");
  }
  langevin::CompareOptions compare_options;
  compare_options.split = options.split;
  compare_options.backend = parse_backend(options.common.backend, "--backend");
  std::unique_ptr<GaussianMixture> mixture;
  if (!options.gmm.empty()) {
    mixture = std::make_unique<GaussianMixture>(load_gmm(options.gmm));
    compare_options.mixture = mixture.get();
  }
  compare_options.seed = options.common.seed;
  const Array a = read_array(options.path_a);
  const Array b = read_array(options.path_b);

  Comparison comparison;
  try {
    comparison = compare(a, b, compare_options);
    if (!options.plot.empty() && comparison.dim == 2) {
      write_scatter_svg(options.plot, as_points(a), as_points(b), options.path_a, options.path_b);
    } else if (!options.plot.empty()) {
      write_ecdf_svg(options.plot, a, b, options.path_a, options.path_b, 0);
    }
  } catch (const InvalidInput& e) {
    // The library speaks of sets A and B: say which files they are.
    throw InvalidInput("A = " + options.path_a + ", B = " + options.path_b + ": " + e.what());
  }

  // --json is an explicit request for output: --quiet silences only the table and notes.
  if (options.common.json) {
    std::cout << to_json(comparison) << "\n";
  } else if (!options.common.quiet) {
    print_table(comparison, options);
  }
  if (!options.plot.empty() && !options.common.quiet && !options.common.json) {
    std::cout << (comparison.dim == 2 ? "scatter plot" : "ECDF of coordinate 0") << " -> "
              << options.plot << "\n";
  }
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "compare",
      "compare two sample sets per coordinate: KS distance and p-value, Wasserstein-1 distance, "
      "means, standard deviations, mass above a split; for d >= 2 the sliced Wasserstein "
      "distance; with --gmm the mixture components' weights");
  command->add_option("A", options->path_a,
                      "first sample set (.npy or .h5: (N,), (N, d) or (N, T, d))")
      ->required();
  command->add_option("B", options->path_b, "second sample set (.npy or .h5, same d)")->required();
  command->add_option("--plot", options->plot,
                      "write a plot (.svg): both sets' points for d = 2, else the ECDFs of "
                      "coordinate 0");
  command->add_option("--split", options->split, "threshold X of the mode weights (mass > X)")
      ->capture_default_str();
  command->add_option("--gmm", options->gmm,
                      "a mixture (.json): also the weights of its components, each point counted "
                      "for its most likely component");
  add_common_options(*command, options->common);
  return {command, [options] { run_compare(*options); }};
}

}  // namespace langevin::cli
