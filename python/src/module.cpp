// The module langevin._langevin: the library's exceptions as Python's, the build's description,
// the parts bound in models.cpp, sampling.cpp, training.cpp and analysis.cpp.

#include "arrays.hpp"
#include "bindings.hpp"

#include <langevin/backend.hpp>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <langevin/version.hpp>

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <Python.h>

namespace langevin::python {

Between::Between(nb::handle progress, std::string unit) : unit_(std::move(unit)) {
  if (progress.is_none() || (nb::isinstance<nb::bool_>(progress) && !nb::cast<bool>(progress))) {
    return;
  }
  if (nb::isinstance<nb::bool_>(progress)) {
    wants_bar_ = true;
  } else {
    callback_ = nb::borrow(progress);
  }
}

Between::~Between() {
  if (bar_.is_valid()) {
    try {
      bar_.attr("close")();
    } catch (const nb::python_error&) {
    }
  }
}

void Between::operator()(std::int64_t done, std::int64_t total) {
  nb::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw nb::python_error();
  if (callback_.is_valid()) callback_(done, total);
  if (!wants_bar_) return;
  if (!bar_.is_valid()) {
    try {
      bar_ = nb::module_::import_("tqdm").attr("tqdm")(nb::arg("total") = total,
                                                      nb::arg("unit") = unit_);
    } catch (const nb::python_error&) {
      wants_bar_ = false;  // no tqdm: progress=True shows nothing (docs/PYTHON.md)
      return;
    }
  }
  bar_.attr("update")(done - shown_);
  shown_ = done;
}

}  // namespace langevin::python

NB_MODULE(_langevin, m) {
  namespace nb = nanobind;
  using namespace langevin::python;
  m.doc() = "Score-based sampling with Langevin dynamics: the langevin library's Python API.";

  // InvalidInput is bad input (ValueError), any other Error a failed run (RuntimeError); the
  // library's message is the exception's.
  nb::register_exception_translator([](const std::exception_ptr& error, void*) {
    try {
      std::rethrow_exception(error);
    } catch (const langevin::InvalidInput& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const langevin::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  m.attr("__version__") = langevin::version();
  m.def("cuda_built", &langevin::cuda_built,
        "Whether this build has the CUDA backend (False for a CPU-only build).");
  m.def("cuda_available", &langevin::cuda_available,
        "Whether a CUDA GPU can be used (a CUDA build, a driver and at least one GPU).");
  m.def("hdf5_available", &langevin::hdf5_available,
        "Whether this build reads and writes HDF5 files.");
  m.def(
      "gpus",
      [] {
        nb::list list;
        for (const langevin::GpuInfo& gpu : langevin::gpus()) {
          nb::dict info;
          info["index"] = gpu.index;
          info["name"] = gpu.name;
          info["compute_capability"] = nb::make_tuple(gpu.compute_major, gpu.compute_minor);
          info["multiprocessors"] = gpu.multiprocessors;
          info["memory_bytes"] = gpu.memory_bytes;
          list.append(info);
        }
        return list;
      },
      "The CUDA devices this process can use, as dicts (index, name, compute_capability, "
      "multiprocessors, memory_bytes); empty without a GPU.");

  m.def(
      "cpu_simd",
      [] {
        const langevin::CpuSimd simd = langevin::cpu_simd();
        nb::dict info;
        info["selected"] = simd.selected;
        info["built"] = simd.built;
        info["runnable"] = simd.runnable;
        info["cap"] = simd.cap;
        return info;
      },
      "The instruction set the CPU's blocks of chains run in, as a dict (selected; built: the "
      "copies this build has; runnable: those this CPU runs; cap: LANGEVIN_CPU_SIMD if set), as "
      "`langevin info` shows it.");

  m.def(
      "cpu_blas",
      [] {
        const langevin::CpuBlas blas = langevin::cpu_blas();
        nb::dict info;
        info["library"] = blas.library;
        info["kernels"] = blas.kernels;
        info["avx512_cpu"] = blas.avx512_cpu;
        info["narrower"] = blas.narrower;
        info["coretype"] = blas.coretype;
        return info;
      },
      "The library training's CPU GEMMs run in, as a dict (library, kernels, avx512_cpu, "
      "narrower: AVX2 kernels on an AVX-512 CPU, coretype: OPENBLAS_CORETYPE if set), as "
      "`langevin info` shows it.");

  // For the tests: where the library would read an input from, and whether that is the
  // caller's own memory (float32 C-order host arrays) or a conversion.
  m.def("_input_view", [](nb::handle object) {
    const HostFloats values = host_floats(object, "object");
    return nb::make_tuple(reinterpret_cast<std::uintptr_t>(values.data), values.in_place);
  });

  bind_models(m);
  bind_sampling(m);
  bind_training(m);
  bind_analysis(m);
}
