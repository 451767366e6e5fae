#pragma once
// What the fuzz targets share: the parsers read files, so each input is written to a file first
// (on tmpfs where there is one), and the only exception a parser may throw on bad input is
// langevin::InvalidInput. Anything else — a crash, a sanitizer report, another exception, an
// allocation beyond libFuzzer's -malloc_limit_mb — is a finding.

#include <langevin/error.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace langevin::fuzz {

/// A per-process scratch file holding the current input.
inline const std::string& scratch_path(const char* extension) {
  static const std::string path = [&] {
    const char* directory = std::getenv("LANGEVIN_FUZZ_TMP");
    return std::string(directory != nullptr ? directory : "/tmp") + "/langevin-fuzz-" +
           std::to_string(::getpid()) + extension;
  }();
  return path;
}

inline void write_input(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
}

/// Runs `parse` on the input; InvalidInput is the expected way to refuse it.
template <class Parse>
void expect_only_invalid_input(Parse&& parse) {
  try {
    parse();
  } catch (const langevin::InvalidInput&) {
  }
}

}  // namespace langevin::fuzz
