// langevin info: backends, GPUs found, build configuration; with a model or a mixture, the
// form its score runs in.

#include "commands.hpp"
#include "common.hpp"
#include "ranks.hpp"

#include <langevin/langevin.hpp>

#include <nlohmann/json.hpp>
#include <omp.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace langevin::cli {
namespace {

/// build_configuration()'s "key: value" lines.
std::vector<std::pair<std::string, std::string>> build_entries() {
  std::vector<std::pair<std::string, std::string>> entries;
  const std::string configuration = build_configuration();
  std::size_t start = 0;
  while (start < configuration.size()) {
    std::size_t end = configuration.find('\n', start);
    if (end == std::string::npos) end = configuration.size();
    const std::string line = configuration.substr(start, end - start);
    const std::size_t colon = line.find(": ");
    if (colon != std::string::npos) entries.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    start = end + 1;
  }
  return entries;
}

/// The line `info` adds under the CPU backend when OpenBLAS runs AVX2 kernels on an AVX-512 CPU.
std::string blas_note(const CpuBlas& blas) {
  if (!blas.narrower) return "";
  std::string note = "OpenBLAS runs its " + blas.kernels + " (AVX2) kernels on this AVX-512 CPU";
  if (!blas.coretype.empty()) note += " (OPENBLAS_CORETYPE=" + blas.coretype + ")";
  return note + ": training's GEMMs use 256-bit vectors (half the speed on CPUs with full-width "
                "AVX-512 units, docs/TUNING.md); " +
         (blas.coretype.empty() ? std::string("OPENBLAS_CORETYPE=SkylakeX selects its AVX-512 ones")
                                : std::string("unset it to let OpenBLAS choose"));
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "none" : text;
}

struct InfoOptions {
  bool json = false;
  ScoreSourceOptions source;
  std::string score_form = "auto";
};

/// The form the given model or mixture's score runs in (empty when none is given).
std::string score_form_of(const InfoOptions& options) {
  const ScoreForm form = parse_score_form(options.score_form, "--score-form");
  if (options.source.model_path.empty() && options.source.gmm_path.empty()) return "";
  return detail::make_target(load_score_source(options.source), form)->form();
}

void print_json(const InfoOptions& options, const std::string& form) {
  nlohmann::json gpu_list = nlohmann::json::array();
  for (const GpuInfo& gpu : gpus()) {
    gpu_list.push_back({{"index", gpu.index},
                        {"name", gpu.name},
                        {"compute_capability", std::to_string(gpu.compute_major) + "." +
                                                   std::to_string(gpu.compute_minor)},
                        {"multiprocessors", gpu.multiprocessors},
                        {"memory_bytes", gpu.memory_bytes}});
  }
  const CpuBlas blas = cpu_blas();
  const nlohmann::json cpu_gemm = {{"library", blas.library},
                                   {"kernels", blas.kernels},
                                   {"avx512_cpu", blas.avx512_cpu},
                                   {"narrower", blas.narrower},
                                   {"coretype", blas.coretype},
                                   {"note", blas_note(blas)}};
  const CpuSimd simd = cpu_simd();
  const nlohmann::json cpu_simd_json = {{"selected", simd.selected},
                                        {"built", simd.built},
                                        {"runnable", simd.runnable},
                                        {"cap", simd.cap}};
  nlohmann::json build = nlohmann::json::object();
  for (const auto& [key, value] : build_entries()) build[key] = value;
  const nlohmann::json info = {{"command", "info"},
                               {"version", version()},
                               {"cpu_threads", omp_get_max_threads()},
                               {"cpu_simd", cpu_simd_json},
                               {"cpu_gemm", cpu_gemm},
                               {"cuda_built", cuda_built()},
                               {"gpus", gpu_list},
                               {"auto_backend", gpus().empty() ? "cpu" : "cuda"},
                               {"build", build},
                               {"mpi", ranks().mpi_text()},
                               {"ranks", ranks().ranks()}};
  nlohmann::json result = info;
  if (!form.empty()) {
    result["score"] = {{"source", options.source.model_path.empty() ? options.source.gmm_path
                                                                    : options.source.model_path},
                       {"score_form", form}};
  }
  std::cout << result.dump() << "\n";
}

void print_text(const InfoOptions& options, const std::string& form) {
  std::cout << "langevin " << version() << "\n\n"
            << "backends:\n"
            << "  cpu   available, " << omp_get_max_threads() << " OpenMP threads\n";
  const CpuSimd simd = cpu_simd();
  std::cout << "        blocks of chains: " << simd.selected << " (built for " << join(simd.built)
            << "; this CPU runs " << join(simd.runnable)
            << (simd.cap.empty() ? std::string(")") : "; LANGEVIN_CPU_SIMD=" + simd.cap + ")")
            << "\n";
  const CpuBlas blas = cpu_blas();
  std::cout << "        training's GEMMs: " << blas.library << "\n";
  if (blas.narrower) std::cout << "        note: " << blas_note(blas) << "\n";
  if (!cuda_built()) {
    std::cout << "  cuda  not built in (LANGEVIN_WITH_CUDA=OFF; auto runs on the CPU)\n";
  } else if (gpus().empty()) {
    std::cout << "  cuda  no GPU found (auto runs on the CPU)\n";
  } else {
    std::cout << "  cuda  available (auto runs here)\n";
    for (const GpuInfo& gpu : gpus()) {
      std::cout << "        GPU " << gpu.index << ": " << gpu.name << ", compute "
                << gpu.compute_major << "." << gpu.compute_minor << ", " << gpu.multiprocessors
                << " SMs, " << (gpu.memory_bytes >> 20) << " MiB\n";
    }
  }
  std::cout << "\nbuild:\n";
  for (const auto& [key, value] : build_entries()) std::cout << "  " << key << ": " << value << "\n";
  std::cout << "  mpi: " << ranks().mpi_text() << "\n";
  if (ranks().launched()) std::cout << "  ranks: " << ranks().ranks() << "\n";
  if (!form.empty()) {
    std::cout << "\nscore:\n  "
              << (options.source.model_path.empty() ? options.source.gmm_path
                                                    : options.source.model_path)
              << ": runs in the " << form << " form (--score-form " << options.score_form
              << ")\n";
  }
}

}  // namespace

Command add_info_command(CLI::App& app) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* command = app.add_subcommand(
      "info", "backends, GPUs found, build configuration; with --model or --gmm, the form the "
              "score runs in");
  command->add_flag("--json", options->json, "print it as one JSON object");
  add_score_source_options(*command, options->source);
  command->add_option("--score-form", options->score_form,
                      "the form asked for: auto or layered (see langevin sample)")
      ->capture_default_str();
  return {command, [options] {
            // Every rank reads the inputs (a failure on any is one error); rank 0 prints.
            std::string form;
            ranks().agree([&] { form = score_form_of(*options); });
            if (!ranks().lead()) return;
            options->json ? print_json(*options, form) : print_text(*options, form);
          }};
}

}  // namespace langevin::cli
