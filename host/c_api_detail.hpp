#pragma once
// What the C API's sources share (c_api.cpp, and the MPI layer's mpi/c_api.cpp): the handles'
// contents, and guarded(), which turns every exception into a status and a thread-local
// message, so that no C++ exception ever reaches a C or Fortran caller.

#include "run/targets.hpp"

#include <langevin/langevin.h>
#include <langevin/langevin.hpp>

#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <vector>

struct langevin_model {
  langevin::detail::ScoreSource source;
};

struct langevin_config {
  langevin::SamplerConfig config;
};

struct langevin_result {
  std::vector<std::int64_t> shape;  // the whole run's output
  langevin::Backend backend = langevin::Backend::Cpu;
  double seconds = 0.0;
  double acceptance_rate = std::numeric_limits<double>::quiet_NaN();
  std::int64_t first_row = 0;  // the rows of it this process holds (all but over MPI ranks)
  std::int64_t rows = 0;
};

namespace langevin::detail {

/// The calling thread's last error message (langevin_last_error()).
std::string& c_last_error();

inline langevin_status c_fail(langevin_status status, const std::string& message) {
  c_last_error() = message;
  return status;
}

template <class Body>
langevin_status guarded(Body&& body) noexcept {
  try {
    body();
    c_last_error().clear();
    return LANGEVIN_OK;
  } catch (const InvalidInput& e) {
    return c_fail(LANGEVIN_INVALID_INPUT, e.what());
  } catch (const std::bad_alloc&) {
    return c_fail(LANGEVIN_FAILURE, "out of host memory");
  } catch (const std::exception& e) {
    return c_fail(LANGEVIN_FAILURE, e.what());
  } catch (...) {
    return c_fail(LANGEVIN_FAILURE, "unknown error");
  }
}

/// Null handles and output pointers are caller bugs, reported like any other bad input.
template <class T>
void require_pointer(T* pointer, const char* name) {
  if (pointer == nullptr) throw InvalidInput(std::string(name) + " = NULL");
}

}  // namespace langevin::detail
