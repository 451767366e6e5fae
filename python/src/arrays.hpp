#pragma once
// Arrays crossing the Python boundary. Inputs come from NumPy, from any DLPack producer (CuPy,
// PyTorch, JAX) or from a __cuda_array_interface__ producer (Numba), or are anything
// numpy.asarray takes; float32 host arrays in C order are read in place, others are converted
// once. Outputs are NumPy arrays over the library's own memory (no copy), or the caller's
// arrays (out=), or GPU arrays exported through DLPack.

#include <langevin/array.hpp>
#include <langevin/device_buffer.hpp>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <cstdint>
#include <string>
#include <vector>

namespace langevin::python {

namespace nb = nanobind;

/// float32 values in C order on the host, where the library can read them.
struct HostFloats {
  const float* data = nullptr;
  std::vector<std::int64_t> shape;
  nb::object owner;          // keeps `data` alive: the caller's array, or the converted copy
  std::vector<float> staged; // values copied from GPU memory
  bool in_place = false;     // `data` is the caller's own memory

  std::int64_t size() const;
  /// A library Array holding a copy of the values.
  Array to_array() const;
};

/// The values of `object` as float32 in C order on the host: in place when they already are,
/// converted (dtype, order) or copied from the GPU once otherwise. `name` names the argument in
/// errors (InvalidInput: Python's ValueError).
HostFloats host_floats(nb::handle object, const std::string& name);

/// (N, d) points: a 1-D array of N values is (N, 1); anything but rank 1 or 2 is refused.
HostFloats host_points(nb::handle object, const std::string& name);

/// Where a caller's output array lives and where to write it.
struct OutputArray {
  float* data = nullptr;
  bool on_gpu = false;
  int device = -1;
};

/// The caller's `out=` array, which must be float32, C-contiguous, writable and of exactly
/// `shape`; on the host, or on a GPU when `allow_gpu`. Refused with a message saying what it is
/// instead: converting it would write somewhere the caller does not look.
OutputArray output_array(nb::handle out, const std::vector<std::int64_t>& shape, bool allow_gpu,
                         const std::string& name = "out");

/// A NumPy array that owns `array`'s memory (moved, not copied).
nb::object to_numpy(Array array);

/// A GPU result exported through DLPack: as the framework named ("dlpack": nanobind's own array,
/// which any DLPack consumer takes; "torch", "cupy", "jax"), owning `array`'s memory.
nb::object to_gpu_array(DeviceArray array, int device, const std::string& framework);
/// Refuses a framework name to_gpu_array does not know (before a run, whatever its device).
void check_framework(const std::string& framework);

/// A CUDA stream from Python: None (the default stream), an integer handle, or an object with
/// `cuda_stream` (PyTorch), `ptr` (CuPy) or `__cuda_stream__` (the CUDA stream protocol).
Stream stream_of(nb::handle stream);

/// A Python sequence of numbers (or a 1-D array) as doubles; None as empty.
std::vector<double> doubles(nb::handle object, const std::string& name);

}  // namespace langevin::python
