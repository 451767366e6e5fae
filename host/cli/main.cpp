// langevin: learn scores, draw samples with Langevin dynamics (docs/CLI.md).
// Errors: one line "langevin: error: …" on stderr; exit status 2 for bad usage or input, 1 for a
// failure while running. Started by an MPI launcher, every rank runs the command (ranks.hpp):
// rank 0 reports an error that every rank agreed on, and a failure of one rank alone ends all.

#include "commands.hpp"
#include "ranks.hpp"

#include <langevin/error.hpp>
#include <langevin/version.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int report(const std::string& message, int status) {
  std::cerr << "langevin: error: " << message << "\n";
  return status;
}

/// A command's failure: reported once (by rank 0 when every rank failed alike; else by the rank
/// that failed, which then ends the others).
int report_failure(const std::exception& error, const std::string& message, int status) {
  const langevin::cli::Ranks& ranks = langevin::cli::ranks();
  const bool agreed = ranks.is_agreed(error);
  if (!agreed || ranks.lead()) report(message, status);
  if (!agreed) ranks.abort_all(status);
  langevin::cli::stop_ranks();
  return status;
}

/// The library names its configuration's fields ("burn_in = 5: …"); the tool's user gave
/// options. A message that starts with a field for which `command` has an option names the
/// option instead ("--burn-in = 5: …").
std::string in_options(const CLI::App* command, const std::string& message) {
  static const std::pair<const char*, const char*> kOptions[] = {
      // sample (SamplerConfig, SummaryOptions)
      {"chains", "--chains"}, {"steps", "--steps"}, {"epsilon", "--epsilon"},
      {"first_chain", "--first-chain"}, {"burn_in", "--burn-in"}, {"thin", "--thin"},
      {"sampler", "--sampler"}, {"friction", "--friction"}, {"snr", "--snr"},
      {"corrector_steps", "--corrector-steps"}, {"denoise", "--denoise"},
      {"init mean", "--init mean"}, {"init std", "--init std"}, {"bins", "--bins"},
      {"chunk_chains", "--chunk-chains"},
      // sample --sampler ode, likelihood (LikelihoodConfig)
      {"rtol", "--rtol"}, {"atol", "--atol"}, {"probes", "--probes"},
      // train (TrainConfig); score
      {"hidden", "--hidden"}, {"iterations", "--iters"}, {"batch", "--batch"},
      {"learning rate", "--lr"}, {"weight decay", "--weight-decay"}, {"clip", "--clip"},
      {"validation", "--validation"}, {"early stop", "--early-stop"}, {"warmup", "--warmup"},
      {"schedule", "--schedule"}, {"ema", "--ema"}, {"tolerance", "--tol"},
      {"projections", "--projections"}, {"sigma", "--sigma"},
  };
  if (command == nullptr) return message;
  for (const auto& [field, option] : kOptions) {
    const std::string name = std::string(option).substr(0, std::string(option).find(' '));
    // "field = value" or a list's "field[i] = value".
    for (const std::string& prefix : {std::string(field) + " = ", std::string(field) + "["}) {
      if (message.rfind(prefix, 0) == 0 && command->get_option_no_throw(name) != nullptr) {
        return option + message.substr(std::string(field).size());
      }
    }
  }
  return message;
}

/// CLI11 drops the empty fields of a comma-separated value before any check sees them, so
/// `--hidden 8,,8` would train an 8,8 network: a list with an empty field is refused here, in
/// the words of the tool's other parse errors, before the arguments are parsed.
void reject_empty_list_fields(const CLI::App& app, int argc, char** argv) {
  for (const CLI::App* command : app.get_subcommands({})) {
    for (const CLI::Option* option : command->get_options()) {
      if (option->get_delimiter() != ',') continue;
      for (const std::string& long_name : option->get_lnames()) {
        const std::string flag = "--" + long_name;
        for (int i = 1; i < argc; ++i) {
          const std::string token = argv[i];
          std::string value;
          if (token == flag && i + 1 < argc) {
            value = argv[i + 1];
          } else if (token.rfind(flag + "=", 0) == 0) {
            value = token.substr(flag.size() + 1);
          } else {
            continue;
          }
          if (value.empty() || value.front() == ',' || value.back() == ',' ||
              value.find(",,") != std::string::npos) {
            throw CLI::ValidationError(flag, "\"" + value + "\" has an empty field");
          }
        }
      }
    }
  }
}

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  try {
    langevin::cli::start_ranks(argc, argv);
  } catch (const std::exception& e) {
    return report(e.what(), kExitFailure);
  }
  const int status = run(argc, argv);
  langevin::cli::stop_ranks();
  return status;
}

namespace {

int run(int argc, char** argv) {
  const bool lead = langevin::cli::ranks().lead();
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
      langevin::cli::add_likelihood_command(app),
      langevin::cli::add_compare_command(app),
      langevin::cli::add_diagnose_command(app),
      langevin::cli::add_demo_command(app),
  };

  try {
    reject_empty_list_fields(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    if (lead) std::cout << app.help();
    return 0;
  } catch (const CLI::CallForVersion&) {
    if (lead) std::cout << langevin::version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    // Every rank parses the same arguments: the same outcome on all.
    if (!lead) return e.get_exit_code() == 0 ? 0 : kExitUsage;
    if (e.get_exit_code() == 0) return app.exit(e);  // --help of a subcommand
    return report(std::string(e.what()) + " (see langevin --help)", kExitUsage);
  }

  try {
    for (const langevin::cli::Command& command : commands) {
      if (!command.subcommand->parsed()) continue;
      const std::string name = command.subcommand->get_name();
      const langevin::cli::Ranks& ranks = langevin::cli::ranks();
      if (ranks.ranks() > 1 && name != "sample" && name != "train" && name != "score" &&
          name != "info") {
        ranks.agree([&] {
          throw langevin::InvalidInput("langevin " + name + " runs in one process, not over " +
                                       std::to_string(ranks.ranks()) +
                                       " MPI ranks: start it without mpirun (sample, "
                                       "train and score run over ranks)");
        });
      }
      command.run();
    }
  } catch (const langevin::InvalidInput& e) {
    const CLI::App* command = nullptr;
    for (const langevin::cli::Command& c : commands) {
      if (c.subcommand->parsed()) command = c.subcommand;
    }
    return report_failure(e, in_options(command, e.what()), kExitUsage);
  } catch (const std::bad_alloc& e) {
    return report_failure(e, "out of host memory", kExitFailure);
  } catch (const std::exception& e) {
    return report_failure(e, e.what(), kExitFailure);
  }
  return 0;
}

}  // namespace
