// langevin: learn scores, draw samples with Langevin dynamics (docs/CLI.md).
// Errors: one line "langevin: error: …" on stderr; exit status 2 for bad usage or input, 1 for a
// failure while running.

#include "commands.hpp"

#include <langevin/error.hpp>
#include <langevin/version.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <vector>
#include <string>

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int report(const std::string& message, int status) {
  std::cerr << "langevin: error: " << message << "\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  // Named, so that usage lines say "langevin" whatever path the tool was started by.
  CLI::App app{"langevin: learn the score of a data set and sample from it with Langevin dynamics",
               "langevin"};
  app.set_version_flag("--version", langevin::version());
  app.require_subcommand(1);
  app.fallthrough(false);

  const std::vector<langevin::cli::Command> commands = {
      langevin::cli::add_info_command(app),
      langevin::cli::add_data_command(app),
      langevin::cli::add_train_command(app),
      langevin::cli::add_sample_command(app),
      langevin::cli::add_score_command(app),
      langevin::cli::add_compare_command(app),
      langevin::cli::add_demo_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << langevin::version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help of a subcommand
    return report(std::string(e.what()) + " (see langevin --help)", kExitUsage);
  }

  try {
    for (const langevin::cli::Command& command : commands) {
      if (command.subcommand->parsed()) command.run();
    }
  } catch (const langevin::InvalidInput& e) {
    return report(e.what(), kExitUsage);
  } catch (const std::bad_alloc&) {
    return report("out of host memory", kExitFailure);
  } catch (const std::exception& e) {
    return report(e.what(), kExitFailure);
  }
  return 0;
}
