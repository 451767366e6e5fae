// file_sha256: the digests of FIPS 180-2's examples, and what a build without OpenSSL says.

#include <gtest/gtest.h>

#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <string>

#include "test_files.hpp"

namespace {

using langevin::testing::expect_invalid;
using langevin::testing::TempDir;
using langevin::testing::write_bytes;

TEST(Sha256, DigestsOfKnownContents) {
  if (!langevin::sha256_available()) GTEST_SKIP() << "this build has no OpenSSL (libssl-dev)";
  const TempDir dir;
  write_bytes(dir.file("abc"), "abc");
  EXPECT_EQ(langevin::file_sha256(dir.file("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  write_bytes(dir.file("empty"), "");
  EXPECT_EQ(langevin::file_sha256(dir.file("empty")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Longer than the reading buffer (64 KiB): one million 'a's, FIPS 180-2's third example.
  write_bytes(dir.file("million"), std::string(1000000, 'a'));
  EXPECT_EQ(langevin::file_sha256(dir.file("million")),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  expect_invalid([&] { langevin::file_sha256(dir.file("missing")); },
                 "cannot open " + dir.file("missing"), "No such file");
}

TEST(Sha256, ABuildWithoutOpenSslSaysSo) {
  if (langevin::sha256_available()) GTEST_SKIP() << "this build has OpenSSL";
  const TempDir dir;
  write_bytes(dir.file("abc"), "abc");
  try {
    langevin::file_sha256(dir.file("abc"));
    ADD_FAILURE() << "no exception";
  } catch (const langevin::Error& error) {
    EXPECT_NE(std::string(error.what()).find("no OpenSSL (install libssl-dev and rebuild)"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
