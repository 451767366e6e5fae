// libFuzzer target: read_safetensors, then load_mlp (which also checks the tensors make a
// network), on arbitrary bytes.
#include "fuzz_input.hpp"

#include <langevin/io.hpp>
#include <langevin/mlp.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = langevin::fuzz::scratch_path(".safetensors");
  langevin::fuzz::write_input(path, data, size);
  langevin::fuzz::expect_only_invalid_input([&] { (void)langevin::read_safetensors(path); });
  langevin::fuzz::expect_only_invalid_input([&] { (void)langevin::load_mlp(path); });
  return 0;
}
