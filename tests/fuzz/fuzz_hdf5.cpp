// libFuzzer target: read_hdf5 and read_hdf5_attributes on arbitrary bytes.
#include "fuzz_input.hpp"

#include <langevin/io.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = langevin::fuzz::scratch_path(".h5");
  langevin::fuzz::write_input(path, data, size);
  langevin::fuzz::expect_only_invalid_input([&] { (void)langevin::read_hdf5(path); });
  langevin::fuzz::expect_only_invalid_input([&] { (void)langevin::read_hdf5_attributes(path); });
  return 0;
}
