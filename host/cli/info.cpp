// langevin info: backends, GPUs found, build configuration.

#include "commands.hpp"

#include <langevin/langevin.hpp>

#include <omp.h>

#include <iostream>

namespace langevin::cli {

Command add_info_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("info", "backends, GPUs found, build configuration");
  return {command, [] {
            std::cout << "langevin " << version() << "\n\n"
                      << "backends:\n"
                      << "  cpu   available, " << omp_get_max_threads() << " OpenMP threads\n";
            if (gpus().empty()) {
              std::cout << "  cuda  no GPU found (auto runs on the CPU)\n";
            } else {
              std::cout << "  cuda  available (auto runs here)\n";
              for (const GpuInfo& gpu : gpus()) {
                std::cout << "        GPU " << gpu.index << ": " << gpu.name << ", compute "
                          << gpu.compute_major << "." << gpu.compute_minor << ", "
                          << gpu.multiprocessors << " SMs, " << (gpu.memory_bytes >> 20)
                          << " MiB\n";
              }
            }
            std::cout << "\nbuild:\n";
            const std::string configuration = build_configuration();
            std::size_t start = 0;
            while (start < configuration.size()) {
              const std::size_t end = configuration.find('\n', start);
              std::cout << "  " << configuration.substr(start, end - start) << "\n";
              start = end == std::string::npos ? configuration.size() : end + 1;
            }
          }};
}

}  // namespace langevin::cli
