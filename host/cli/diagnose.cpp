// langevin diagnose trajectory.npy [--json]: per coordinate the rank-normalised split-R̂, bulk and
// tail effective sample sizes and the mean's Monte Carlo standard error of a sampler's trajectory
// (include/langevin/diagnostics.hpp, docs/CLI.md).

#include "commands.hpp"
#include "common.hpp"

#include <langevin/diagnostics.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

namespace langevin::cli {
namespace {

struct DiagnoseOptions {
  bool quiet = false;
  bool json = false;
  std::string path;
};

void run_diagnose(const DiagnoseOptions& options) {
  const Array trajectory = read_array(options.path);
  Diagnostics d;
  try {
    d = diagnose(trajectory);
  } catch (const InvalidInput& e) {
    throw InvalidInput(options.path + ": " + e.what());
  }
  if (options.json) {
    std::cout << to_json(d) << "\n";
    return;
  }
  if (options.quiet) return;
  std::cout << options.path << ": " << d.chains << " chains x " << d.draws << " draws, d = " << d.dim
            << "\n"
            << diagnostics_table(d);
}

}  // namespace

std::string diagnostics_table(const Diagnostics& d) {
  std::string table;
  char line[256];
  std::snprintf(line, sizeof line, "%5s %8s %10s %10s %12s %12s %12s\n", "coord", "R-hat",
                "ESS bulk", "ESS tail", "mean", "sd", "MCSE mean");
  table += line;
  for (int k = 0; k < d.dim; ++k) {
    std::snprintf(line, sizeof line, "%5d %8.4f %10.1f %10.1f %12.5g %12.5g %12.3g\n", k,
                  d.rhat[k], d.ess_bulk[k], d.ess_tail[k], d.mean[k], d.sd[k], d.mcse_mean[k]);
    table += line;
  }
  return table;
}

Command add_diagnose_command(CLI::App& app) {
  auto options = std::make_shared<DiagnoseOptions>();
  CLI::App* command = app.add_subcommand(
      "diagnose",
      "convergence diagnostics of a trajectory per coordinate: rank-normalised split R-hat, "
      "bulk and tail effective sample sizes, Monte Carlo standard error of the mean "
      "(Vehtari et al. 2021)");
  command->add_option("TRAJECTORY", options->path,
                      "draws (.npy or .h5) of shape (chains, draws, d) or (chains, draws), as "
                      "sample --keep trajectory writes them")
      ->required();
  command->add_flag("--quiet", options->quiet, "print nothing but errors");
  command->add_flag("--json", options->json,
                    "print the diagnostics as one JSON object on stdout instead of text");
  return {command, [options] { run_diagnose(*options); }};
}

}  // namespace langevin::cli
