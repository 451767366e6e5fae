// Inputs read in place or converted once, outputs handed over without copies (arrays.hpp).

#include "arrays.hpp"

#include <langevin/error.hpp>

#include <nanobind/stl/vector.h>

#include <cstring>
#include <utility>

namespace langevin::python {
namespace {

using namespace nb::literals;

using AnyArray = nb::ndarray<nb::ro>;
using Float32Cuda = nb::ndarray<nb::ro, float, nb::c_contig, nb::device::cuda>;

std::string python_type(nb::handle object) {
  return nb::cast<std::string>(nb::str(nb::handle(reinterpret_cast<PyObject*>(Py_TYPE(object.ptr())))
                                           .attr("__name__")));
}

template <class Array>
std::vector<std::int64_t> shape_of(const Array& array) {
  std::vector<std::int64_t> shape(array.ndim());
  for (std::size_t i = 0; i < array.ndim(); ++i) shape[i] = static_cast<std::int64_t>(array.shape(i));
  return shape;
}

template <class Array>
bool c_contiguous(const Array& array) {
  std::int64_t expected = 1;
  for (std::size_t i = array.ndim(); i-- > 0;) {
    if (array.shape(i) != 1 && array.stride(i) != expected) return false;
    expected *= static_cast<std::int64_t>(array.shape(i));
  }
  return true;
}

template <class Array>
bool float32(const Array& array) {
  return array.dtype() == nb::dtype<float>();
}

std::string dtype_name(const nb::dlpack::dtype& dtype) {
  const char* kind = dtype.code == static_cast<std::uint8_t>(nb::dlpack::dtype_code::Float) ? "float"
                     : dtype.code == static_cast<std::uint8_t>(nb::dlpack::dtype_code::Int) ? "int"
                     : dtype.code == static_cast<std::uint8_t>(nb::dlpack::dtype_code::UInt) ? "uint"
                     : dtype.code == static_cast<std::uint8_t>(nb::dlpack::dtype_code::Bool) ? "bool"
                                                                                              : "other";
  return std::string(kind) + std::to_string(dtype.bits);
}

/// A __cuda_array_interface__ (version 2 or 3) of float32 values in C order: its pointer,
/// shape and writability. Other dtypes or strides are refused: such producers convert first.
struct CudaInterface {
  std::uintptr_t pointer = 0;
  std::vector<std::int64_t> shape;
  bool read_only = false;
};

bool cuda_interface(nb::handle object, const std::string& name, CudaInterface& out) {
  if (!nb::hasattr(object, "__cuda_array_interface__") || nb::hasattr(object, "__dlpack__")) {
    return false;
  }
  const nb::dict interface = nb::cast<nb::dict>(object.attr("__cuda_array_interface__"));
  const std::string typestr = nb::cast<std::string>(interface["typestr"]);
  for (nb::handle extent : nb::cast<nb::tuple>(interface["shape"])) {
    out.shape.push_back(nb::cast<std::int64_t>(extent));
  }
  if (typestr != "<f4") {
    throw InvalidInput(name + ": a CUDA array of type " + typestr +
                       "; convert it to float32 first (the library computes in float32)");
  }
  if (interface.contains("strides") && !interface["strides"].is_none()) {
    std::int64_t expected = 4;
    const nb::tuple strides = nb::cast<nb::tuple>(interface["strides"]);
    for (std::size_t i = out.shape.size(); i-- > 0;) {
      if (out.shape[i] != 1 && nb::cast<std::int64_t>(strides[i]) != expected) {
        throw InvalidInput(name + ": a CUDA array that is not C-contiguous; make it so first");
      }
      expected *= out.shape[i];
    }
  }
  const nb::tuple data = nb::cast<nb::tuple>(interface["data"]);
  out.pointer = nb::cast<std::uintptr_t>(data[0]);
  out.read_only = nb::cast<bool>(data[1]);
  // Version 3: the producer's work on `stream` must finish before the values are read.
  if (interface.contains("stream") && !interface["stream"].is_none()) {
    detail::synchronize(reinterpret_cast<Stream>(nb::cast<std::uintptr_t>(interface["stream"])));
  }
  return true;
}

HostFloats from_gpu(const void* data, std::vector<std::int64_t> shape, int device) {
  HostFloats result;
  result.shape = std::move(shape);
  result.staged.resize(static_cast<std::size_t>(element_count(result.shape)));
  if (!result.staged.empty()) {
    // nanobind takes a DLPack array without naming a stream, and its producer may have written
    // it on any stream of the device (PyTorch's and CuPy's own are non-blocking: the copy's
    // stream would not wait for them), so every stream of the device is waited for first.
    detail::synchronize_device(device);
    detail::copy_device_to_host(result.staged.data(), data, result.staged.size() * sizeof(float),
                                nullptr, device);
  }
  result.data = result.staged.data();
  return result;
}

}  // namespace

std::int64_t HostFloats::size() const { return element_count(shape); }

Array HostFloats::to_array() const {
  return Array(shape, std::vector<float>(data, data + size()));
}

HostFloats host_floats(nb::handle object, const std::string& name) {
  if (object.is_none()) throw InvalidInput(name + ": None where an array was expected");
  CudaInterface interface;
  if (cuda_interface(object, name, interface)) {
    return from_gpu(reinterpret_cast<const void*>(interface.pointer), interface.shape, -1);
  }
  AnyArray array;
  if (nb::try_cast(object, array, false)) {
    if (array.device_type() == nb::device::cuda::value) {
      if (!float32(array) || !c_contiguous(array)) {
        Float32Cuda converted;
        if (!nb::try_cast(object, converted, true)) {
          throw InvalidInput(name + ": a CUDA array of " + dtype_name(array.dtype()) +
                             " that its framework cannot convert to float32 in C order");
        }
        return from_gpu(converted.data(), shape_of(converted), converted.device_id());
      }
      return from_gpu(array.data(), shape_of(array), array.device_id());
    }
    if (array.device_type() == nb::device::cpu::value && float32(array) && c_contiguous(array)) {
      HostFloats result;
      result.data = static_cast<const float*>(array.data());
      result.shape = shape_of(array);
      result.owner = nb::borrow(object);
      result.in_place = true;
      return result;
    }
  }
  // Anything else on the host (other dtypes and orders, lists, framework tensors): one
  // conversion by NumPy.
  nb::object converted;
  try {
    converted = nb::module_::import_("numpy").attr("ascontiguousarray")(object, "dtype"_a = "float32");
  } catch (const nb::python_error& e) {
    throw InvalidInput(name + ": cannot be read as an array of numbers (a " + python_type(object) +
                       "): " + e.what());
  }
  AnyArray values = nb::cast<AnyArray>(converted);
  HostFloats result;
  result.data = static_cast<const float*>(values.data());
  result.shape = shape_of(values);
  result.owner = converted;
  return result;
}

HostFloats host_points(nb::handle object, const std::string& name) {
  HostFloats points = host_floats(object, name);
  if (points.shape.size() == 1) points.shape.push_back(1);
  if (points.shape.size() != 2) {
    throw InvalidInput(name + ": an array of shape " + format_shape(points.shape) +
                       "; expected points (N, d), or (N,) in one dimension");
  }
  return points;
}

OutputArray output_array(nb::handle out, const std::vector<std::int64_t>& shape, bool allow_gpu,
                         const std::string& name) {
  const std::string wanted = "a writable float32 C-contiguous array of shape " + format_shape(shape);
  CudaInterface interface;
  if (cuda_interface(out, name, interface)) {
    if (!allow_gpu) throw InvalidInput(name + ": a CUDA array; this run writes to the host");
    if (interface.read_only || interface.shape != shape) {
      throw InvalidInput(name + ": expected " + wanted + ", got a CUDA array of shape " +
                         format_shape(interface.shape) +
                         (interface.read_only ? ", read-only" : ""));
    }
    return {reinterpret_cast<float*>(interface.pointer), true, -1};
  }
  nb::ndarray<> array;
  if (!nb::try_cast(out, array, false)) {
    nb::ndarray<nb::ro> read_only;
    throw InvalidInput(name + ": expected " + wanted + ", got " +
                       (nb::try_cast(out, read_only, false) ? "a read-only array"
                                                            : "a " + python_type(out)));
  }
  const bool gpu = array.device_type() == nb::device::cuda::value;
  if (!float32(array) || !c_contiguous(array) || shape_of(array) != shape ||
      (!gpu && array.device_type() != nb::device::cpu::value)) {
    throw InvalidInput(name + ": expected " + wanted + ", got " + dtype_name(array.dtype()) +
                       (c_contiguous(array) ? "" : ", not C-contiguous,") + " of shape " +
                       format_shape(shape_of(array)) + " (a copy would leave it unwritten)");
  }
  if (gpu && !allow_gpu) throw InvalidInput(name + ": a CUDA array; this run writes to the host");
  return {static_cast<float*>(array.data()), gpu, gpu ? array.device_id() : -1};
}

nb::object to_numpy(Array array) {
  if (array.size() == 0) {  // no memory to hand over (a default Array has shape () and none)
    std::vector<std::int64_t> shape = array.shape();
    if (shape.empty()) shape.push_back(0);
    return nb::module_::import_("numpy").attr("zeros")(nb::tuple(nb::cast(shape)),
                                                        "dtype"_a = "float32");
  }
  auto* owned = new Array(std::move(array));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<Array*>(p); });
  std::vector<std::size_t> shape(owned->shape().begin(), owned->shape().end());
  return nb::cast(nb::ndarray<nb::numpy, float>(owned->data(), shape.size(), shape.data(), owner));
}

nb::object to_gpu_array(DeviceArray array, int device, const std::string& framework) {
  auto* owned = new DeviceArray(std::move(array));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<DeviceArray*>(p); });
  std::vector<std::size_t> shape(owned->shape.begin(), owned->shape.end());
  auto make = [&](auto tag) {
    using Framework = decltype(tag);
    return nb::cast(nb::ndarray<Framework, float, nb::device::cuda>(
        owned->data(), shape.size(), shape.data(), owner, nullptr, nb::dtype<float>(),
        nb::device::cuda::value, device));
  };
  check_framework(framework);
  if (framework == "torch") return make(nb::pytorch{});
  if (framework == "cupy") return make(nb::cupy{});
  if (framework == "jax") return make(nb::jax{});
  return make(nb::array_api{});
}

void check_framework(const std::string& framework) {
  for (const char* known : {"dlpack", "torch", "cupy", "jax"}) {
    if (framework == known) return;
  }
  throw InvalidInput("framework = \"" + framework + "\": expected dlpack, torch, cupy or jax");
}

Stream stream_of(nb::handle stream) {
  if (stream.is_none()) return nullptr;
  std::uintptr_t handle = 0;
  if (nb::isinstance<nb::int_>(stream)) {
    handle = nb::cast<std::uintptr_t>(stream);
  } else if (nb::hasattr(stream, "__cuda_stream__")) {
    handle = nb::cast<std::uintptr_t>(nb::cast<nb::tuple>(stream.attr("__cuda_stream__")())[1]);
  } else if (nb::hasattr(stream, "cuda_stream")) {
    handle = nb::cast<std::uintptr_t>(stream.attr("cuda_stream"));
  } else if (nb::hasattr(stream, "ptr")) {
    handle = nb::cast<std::uintptr_t>(stream.attr("ptr"));
  } else {
    throw InvalidInput("stream: a " + python_type(stream) +
                       "; expected None, an integer cudaStream_t, or a CuPy / PyTorch stream");
  }
  return reinterpret_cast<Stream>(handle);
}

std::vector<double> doubles(nb::handle object, const std::string& name) {
  std::vector<double> values;
  if (object.is_none()) return values;
  try {
    for (nb::handle value : object) values.push_back(nb::cast<double>(value));
  } catch (const std::exception&) {
    throw InvalidInput(name + ": expected a sequence of numbers, got a " + python_type(object));
  }
  return values;
}

}  // namespace langevin::python
