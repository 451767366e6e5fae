// Reading untrusted files with a third-party parser in a child process: a crash there becomes
// an InvalidInput naming the file, and a parser that returns (or throws) lets the caller go on.

#include "io/crash_isolation.hpp"

#include <langevin/error.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <string>

namespace langevin {
namespace {

TEST(CrashIsolation, ACrashInTheParserBecomesInvalidInput) {
  try {
    detail::refuse_if_reading_crashes("bad.h5", "HDF5", [] { std::raise(SIGSEGV); });
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("bad.h5: malformed HDF5 file (the HDF5 library crashed", 0), 0)
        << message;
  }
}

TEST(CrashIsolation, AParserThatReturnsOrThrowsLetsTheCallerGoOn) {
  EXPECT_NO_THROW(detail::refuse_if_reading_crashes("good.h5", "HDF5", [] {}));
  // The caller repeats the read in its own process for the result and the message.
  EXPECT_NO_THROW(detail::refuse_if_reading_crashes(
      "bad.h5", "HDF5", [] { throw InvalidInput("bad.h5: not an HDF5 file"); }));
}

TEST(CrashIsolation, NothingTheChildDoesReachesTheParent) {
  int value = 1;
  detail::refuse_if_reading_crashes("x.h5", "HDF5", [&] { value = 2; });
  EXPECT_EQ(value, 1);
}

}  // namespace
}  // namespace langevin
