#pragma once
// Runs the langevin tool as a user would, for the CLI tests: exit status and output.

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace langevin::testing {

struct CliResult {
  int status = -1;
  std::string output;  // stdout, and stderr unless left out
};

/// Runs `langevin <arguments>`; `merge_stderr` false keeps stderr out of the output (for JSON).
inline CliResult run_cli(const std::string& arguments, bool merge_stderr = true) {
  CliResult result;
  const std::string command =
      std::string(LANGEVIN_CLI_PATH) + " " + arguments + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, got);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace langevin::testing
