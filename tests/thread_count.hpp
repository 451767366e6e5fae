#pragma once
// OpenMP's thread count within a scope, for the tests that the thread count must not change a
// bit of a result: the caller's count comes back when the scope ends, a failed assertion's
// early return included.

#include <omp.h>

namespace langevin::testing {

class ThreadCount {
 public:
  explicit ThreadCount(int threads) : before_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~ThreadCount() { omp_set_num_threads(before_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int before_;
};

}  // namespace langevin::testing
