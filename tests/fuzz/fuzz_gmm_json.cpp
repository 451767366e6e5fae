// libFuzzer target: the Gaussian-mixture JSON parser on arbitrary text.
#include "fuzz_input.hpp"

#include <langevin/gmm.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  langevin::fuzz::expect_only_invalid_input(
      [&] { (void)langevin::GaussianMixture::from_json(text, "fuzz input"); });
  return 0;
}
