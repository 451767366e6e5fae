// libFuzzer target: read_checkpoint and read_train_checkpoint (safetensors files whose metadata
// and tensors must make a sampler's or a training run's checkpoint) on arbitrary bytes.
#include "fuzz_input.hpp"

#include <langevin/checkpoint_file.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = langevin::fuzz::scratch_path(".ckpt");
  langevin::fuzz::write_input(path, data, size);
  langevin::fuzz::expect_only_invalid_input([&] { (void)langevin::read_checkpoint(path); });
  langevin::fuzz::expect_only_invalid_input([&] { (void)langevin::read_train_checkpoint(path); });
  return 0;
}
