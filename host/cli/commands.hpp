#pragma once
// The CLI's commands. Each registers its subcommand and the function that runs it once the
// arguments are parsed. Option state lives in the closures.

#include <CLI/CLI.hpp>

#include <functional>

namespace langevin::cli {

/// A subcommand of the app and what runs it.
struct Command {
  CLI::App* subcommand = nullptr;
  std::function<void()> run;
};

Command add_info_command(CLI::App& app);
Command add_sample_command(CLI::App& app);
Command add_score_command(CLI::App& app);
Command add_likelihood_command(CLI::App& app);
Command add_compare_command(CLI::App& app);
Command add_diagnose_command(CLI::App& app);
Command add_data_command(CLI::App& app);
Command add_train_command(CLI::App& app);
Command add_demo_command(CLI::App& app);

}  // namespace langevin::cli
