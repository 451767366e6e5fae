#pragma once
// OpenMP's thread count within a scope, for the tests that the thread count must not change a
// bit of a result: the caller's count comes back when the scope ends, a failed assertion's
// early return included.

#include <gtest/gtest.h>
#include <omp.h>

#include <string>

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

/// run() on one thread, then on 2 and 3 threads: expect_same(on_one, on_more) for each.
template <class Run, class Expect>
void expect_same_on_any_thread_count(const Run& run, const Expect& expect_same) {
  const auto on_one = [&] {
    const ThreadCount count(1);
    return run();
  }();
  for (int threads : {2, 3}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    const ThreadCount count(threads);
    expect_same(on_one, run());
  }
}

}  // namespace langevin::testing
