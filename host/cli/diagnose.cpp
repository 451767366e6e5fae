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
  std::int64_t superchains = 0;
  std::string path;
};

void run_diagnose(const DiagnoseOptions& options) {
  Diagnostics d;
  try {
    d = diagnose_file(options.path, options.superchains);
  } catch (const InvalidInput& e) {
    // The reader's messages name the file already; the diagnostics' name the field.
    const std::string message = e.what();
    if (message.rfind("superchains", 0) == 0) throw InvalidInput("--" + message);
    if (message.rfind(options.path, 0) == 0) throw;
    throw InvalidInput(options.path + ": " + message);
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
  const bool nested = !d.nested_rhat.empty();
  std::snprintf(line, sizeof line, "%5s %8s %10s %10s %12s %12s %12s%s\n", "coord", "R-hat",
                "ESS bulk", "ESS tail", "mean", "sd", "MCSE mean", nested ? "   nested R-hat" : "");
  table += line;
  for (int k = 0; k < d.dim; ++k) {
    std::snprintf(line, sizeof line, "%5d %8.4f %10.1f %10.1f %12.5g %12.5g %12.3g", k,
                  d.rhat[k], d.ess_bulk[k], d.ess_tail[k], d.mean[k], d.sd[k], d.mcse_mean[k]);
    table += line;
    if (nested) {
      std::snprintf(line, sizeof line, " %14.4f", d.nested_rhat[k]);
      table += line;
    }
    table += "\n";
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
  command->add_option("--superchains", options->superchains,
                      "also the nested R-hat (Margossian et al.) of this many superchains: "
                      "consecutive groups of chains that started from one point each")
      ->check(integer_range<std::int64_t>());
  command->add_flag("--quiet", options->quiet, "print nothing but errors");
  command->add_flag("--json", options->json,
                    "print the diagnostics as one JSON object on stdout instead of text");
  return {command, [options] { run_diagnose(*options); }};
}

}  // namespace langevin::cli
