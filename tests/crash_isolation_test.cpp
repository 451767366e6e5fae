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

TEST(CrashIsolation, AParserThatNeverReturnsIsStoppedEvenIfSigalrmIsHandled) {
  // A handler the caller installed (libFuzzer has one) must not keep the time limit (10 s for a
  // small file) from ending a parser stuck in a loop.
  struct sigaction ignore_alarm {};
  ignore_alarm.sa_handler = [](int) {};
  struct sigaction previous {};
  sigaction(SIGALRM, &ignore_alarm, &previous);
  try {
    detail::refuse_if_reading_crashes("loop.h5", "HDF5", [] {
      volatile bool forever = true;
      while (forever) {
      }
    });
    ADD_FAILURE() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("did not finish reading it"), std::string::npos)
        << e.what();
  }
  sigaction(SIGALRM, &previous, nullptr);
}

TEST(CrashIsolation, NothingTheChildDoesReachesTheParent) {
  int value = 1;
  detail::refuse_if_reading_crashes("x.h5", "HDF5", [&] { value = 2; });
  EXPECT_EQ(value, 1);
}

}  // namespace
}  // namespace langevin
