// Reading untrusted files with a third-party parser in a child process: a crash or a stall there
// becomes an InvalidInput naming the file; what the parser returns or throws comes back to the
// caller, whose own process never runs the parser.

#include "io/crash_isolation.hpp"

#include <langevin/error.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <string>

namespace langevin {
namespace {

using detail::read_in_child;

TEST(CrashIsolation, ACrashInTheParserBecomesInvalidInput) {
  try {
    (void)read_in_child("bad.h5", "HDF5", []() -> std::string {
      std::raise(SIGSEGV);
      return "";
    });
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("bad.h5: malformed HDF5 file (the HDF5 library crashed", 0), 0)
        << message;
  }
}

TEST(CrashIsolation, WhatTheParserReturnsOrThrowsComesBack) {
  // More than a pipe holds (64 KiB), with every byte value.
  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 256);
  EXPECT_EQ(read_in_child("good.h5", "HDF5", [&] { return big; }), big);
  EXPECT_EQ(read_in_child("empty.h5", "HDF5", [] { return std::string(); }), "");
  try {
    (void)read_in_child("bad.h5", "HDF5",
                        []() -> std::string { throw InvalidInput("bad.h5: not an HDF5 file"); });
    ADD_FAILURE() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "bad.h5: not an HDF5 file");
  }
  EXPECT_THROW((void)read_in_child("x.h5", "HDF5", []() -> std::string { throw Error("disk"); }),
               Error);
}

TEST(CrashIsolation, AParserThatEndsTheProcessIsInvalidInput) {
  try {
    (void)read_in_child("bad.h5", "HDF5", []() -> std::string { std::exit(3); });
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("ended the process reading it: exit status 3"),
              std::string::npos)
        << e.what();
  }
}

TEST(CrashIsolation, AParserThatNeverReturnsIsStoppedEvenIfSigalrmIsHandled) {
  // A handler the caller installed (libFuzzer has one) must not keep the time limit (10 s for a
  // small file) from ending a parser stuck in a loop.
  struct sigaction ignore_alarm {};
  ignore_alarm.sa_handler = [](int) {};
  struct sigaction previous {};
  sigaction(SIGALRM, &ignore_alarm, &previous);
  try {
    (void)read_in_child("loop.h5", "HDF5", []() -> std::string {
      volatile bool forever = true;
      while (forever) {
      }
      return "";
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
  (void)read_in_child("x.h5", "HDF5", [&] {
    value = 2;
    return std::string();
  });
  EXPECT_EQ(value, 1);
}

TEST(CrashIsolation, AnAnswerCutShortIsAnError) {
  const std::string three_bytes = "abc";
  detail::ByteReader in(three_bytes);
  EXPECT_THROW((void)in.value<std::uint64_t>(), Error);
  detail::ByteWriter out;
  out.value(std::uint64_t{1000});  // claims 1000 floats, carries none
  const std::string claim = out.take();
  detail::ByteReader lying(claim);
  EXPECT_THROW((void)lying.values<float>(), Error);
}

}  // namespace
}  // namespace langevin
