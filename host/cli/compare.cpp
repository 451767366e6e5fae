// langevin compare A.npy B.npy [--plot ecdf.svg] [--json]: to be written.

#include "commands.hpp"
#include "common.hpp"

namespace langevin::cli {

Command add_compare_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("compare", "compare two sample sets (not yet available)");
  return {command, [] { throw Error("compare is not implemented yet"); }};
}

}  // namespace langevin::cli
