// HDF5 files on the command line: `sample`, `data` and `score` write .h5 files holding the same
// values as .npy runs and recording what produced them (seen by `h5dump -A`, as the issue asks);
// every command that reads points reads .h5 files too.

#include <langevin/langevin.hpp>

#include "cli_runner.hpp"
#include "test_files.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace langevin {
namespace {

using testing::run_cli;
using testing::TempDir;

const std::string kGmm = std::string(LANGEVIN_SOURCE_DIR) + "/examples/data/two_modes.json";
const std::string kRun = "--gmm " + kGmm + " --chains 64 --steps 40 --epsilon 0.02 --seed 11 " +
                         "--first-chain 5 --init normal:1,2 --backend cpu --quiet";

std::string text_of(const Hdf5Attributes& attributes, const std::string& name) {
  const auto found = attributes.find(name);
  if (found == attributes.end()) return "(missing)";
  const auto* text = std::get_if<std::string>(&found->second);
  return text != nullptr ? *text : "(not a string)";
}

// What a shell command prints on stdout (nothing when it cannot be run).
std::string output_of(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  ::pclose(pipe);
  return output;
}

TEST(Hdf5Cli, SampleWritesTheNpyValuesAndTheRunsSettings) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  ASSERT_EQ(run_cli("sample " + kRun + " --out " + dir.file("s.npy")).status, 0);
  const auto r = run_cli("sample " + kRun + " --out " + dir.file("s.h5"));
  ASSERT_EQ(r.status, 0) << r.output;
  const Array h5 = read_array(dir.file("s.h5"));
  EXPECT_EQ(h5.shape(), (std::vector<std::int64_t>{64, 1}));
  EXPECT_EQ(h5.values(), read_npy(dir.file("s.npy")).values());

  const Hdf5Attributes a = read_hdf5_attributes(dir.file("s.h5"));
  EXPECT_EQ(a.at("seed"), Hdf5Attribute(std::uint64_t{11}));
  EXPECT_EQ(a.at("epsilon"), Hdf5Attribute(0.02));
  EXPECT_EQ(a.at("steps"), Hdf5Attribute(std::int64_t{40}));
  EXPECT_EQ(a.at("chains"), Hdf5Attribute(std::int64_t{64}));
  EXPECT_EQ(a.at("first_chain"), Hdf5Attribute(std::int64_t{5}));
  EXPECT_EQ(a.at("shape"), Hdf5Attribute(std::vector<std::int64_t>{64, 1}));
  EXPECT_EQ(text_of(a, "init"), "normal:1,2");
  EXPECT_EQ(text_of(a, "command"), "sample");
  EXPECT_EQ(text_of(a, "sampler"), "ula");
  EXPECT_EQ(text_of(a, "backend"), "cpu");
  EXPECT_EQ(text_of(a, "target"), "gmm");
  EXPECT_EQ(text_of(a, "target_path"), kGmm);
  EXPECT_EQ(text_of(a, "langevin_version"), version());
  EXPECT_EQ(text_of(a, "target_sha256"), sha256_available()
                                             ? file_sha256(kGmm)
                                             : "unavailable (built without OpenSSL)");
}

TEST(Hdf5Cli, RecordsEachSamplersOwnSettings) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  const std::string annealed = "--gmm " + kGmm + " --sigmas 4,0.1,5 --chains 16 --backend cpu "
                               "--quiet";
  ASSERT_EQ(run_cli("sample " + annealed + " --sampler pc --corrector-steps 2 --snr 0.2 "
                    "--corrector-step chain --out " + dir.file("pc.h5"))
                .status,
            0);
  const Hdf5Attributes pc = read_hdf5_attributes(dir.file("pc.h5"));
  EXPECT_EQ(pc.at("corrector_steps"), Hdf5Attribute(std::int64_t{2}));
  EXPECT_EQ(pc.at("snr"), Hdf5Attribute(0.2));
  EXPECT_EQ(text_of(pc, "corrector_step"), "chain");
  EXPECT_EQ(pc.count("rtol"), 0u);
  ASSERT_EQ(run_cli("sample " + annealed + " --sampler ode --rtol 1e-4 --out " + dir.file("ode.h5"))
                .status,
            0);
  const Hdf5Attributes ode = read_hdf5_attributes(dir.file("ode.h5"));
  EXPECT_EQ(ode.at("rtol"), Hdf5Attribute(1e-4));
  EXPECT_EQ(ode.at("atol"), Hdf5Attribute(kDefaultOdeTolerance));
  EXPECT_EQ(ode.count("snr"), 0u);
}

TEST(Hdf5Cli, H5dumpShowsTheConfiguration) {
  SKIP_WITHOUT_HDF5();
  if (std::system("command -v h5dump >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "h5dump is not on PATH (Debian: hdf5-tools)";
  }
  const TempDir dir;
  ASSERT_EQ(run_cli("sample " + kRun + " --out " + dir.file("s.h5")).status, 0);
  const std::string dump = output_of("h5dump -A " + dir.file("s.h5"));
  std::vector<std::string> expected = {"ATTRIBUTE \"seed\"",   "(0): 11",
                                       "ATTRIBUTE \"epsilon\"", "(0): 0.02",
                                       "ATTRIBUTE \"steps\"",   "(0): 40",
                                       "ATTRIBUTE \"chains\"",  "(0): 64",
                                       "ATTRIBUTE \"first_chain\"", "(0): 5",
                                       "ATTRIBUTE \"init\"",    "\"normal:1,2\"",
                                       "ATTRIBUTE \"target_sha256\"",
                                       "ATTRIBUTE \"langevin_version\"",
                                       "\"" + std::string(version()) + "\""};
  if (sha256_available()) expected.push_back("\"" + file_sha256(kGmm) + "\"");
  for (const std::string& text : expected) {
    EXPECT_NE(dump.find(text), std::string::npos) << "no " << text << " in\n" << dump;
  }
}

TEST(Hdf5Cli, KeepsTrajectoriesAsRank3) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  ASSERT_EQ(run_cli("sample " + kRun + " --keep trajectory --burn-in 10 --thin 10 --out " +
                    dir.file("t.h5"))
                .status,
            0);
  EXPECT_EQ(read_array(dir.file("t.h5")).shape(), (std::vector<std::int64_t>{64, 3, 1}));
  EXPECT_EQ(read_hdf5_attributes(dir.file("t.h5")).at("thin"), Hdf5Attribute(std::int64_t{10}));
}

TEST(Hdf5Cli, DataScoreTrainAndCompareReadAndWriteHdf5) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  ASSERT_EQ(run_cli("data --gmm " + kGmm + " --n 300 --seed 2 --quiet --out " + dir.file("d.h5"))
                .status,
            0);
  EXPECT_EQ(read_hdf5(dir.file("d.h5"), "data").values(),
            draw(load_gmm(kGmm), 300, 2).values());
  EXPECT_EQ(read_hdf5_attributes(dir.file("d.h5")).at("n"), Hdf5Attribute(std::int64_t{300}));

  ASSERT_EQ(run_cli("score --gmm " + kGmm + " --in " + dir.file("d.h5") + " --backend cpu " +
                    "--quiet --out " + dir.file("s.h5"))
                .status,
            0);
  EXPECT_EQ(read_hdf5(dir.file("s.h5"), "scores").values(),
            score(load_gmm(kGmm), read_array(dir.file("d.h5")), Backend::Cpu).values());
  EXPECT_EQ(text_of(read_hdf5_attributes(dir.file("s.h5")), "points_path"), dir.file("d.h5"));

  const auto compared = run_cli("compare " + dir.file("d.h5") + " " + dir.file("d.h5") +
                                " --backend cpu");
  EXPECT_EQ(compared.status, 0) << compared.output;
  const auto trained = run_cli("train --data " + dir.file("d.h5") + " --iters 2 --hidden 8 " +
                               "--backend cpu --quiet --out " + dir.file("m.safetensors"));
  EXPECT_EQ(trained.status, 0) << trained.output;
  ASSERT_EQ(run_cli("sample --gmm " + kGmm + " --chains 300 --steps 1 --backend cpu --quiet " +
                    "--init file:" + dir.file("d.h5") + " --out " + dir.file("x.npy"))
                .status,
            0);
}

TEST(Hdf5Cli, RefusesOtherOutputExtensionsBeforeAnyWork) {
  const TempDir dir;
  const auto r = run_cli("sample " + kRun + " --out " + dir.file("s.txt"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("langevin: error: --out = " + dir.file("s.txt") +
                          ": expected a .npy, .h5 or .hdf5 file"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(dir.entries().empty());
}

TEST(Hdf5Cli, ABuildWithoutHdf5RefusesH5OutputsBeforeAnyWork) {
  if (hdf5_available()) GTEST_SKIP() << "this build has HDF5";
  const TempDir dir;
  const auto r = run_cli("sample " + kRun + " --out " + dir.file("s.h5"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--out = " + dir.file("s.h5") + ": this build of langevin has no HDF5 "
                          "support (install libhdf5-dev and rebuild)"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(dir.entries().empty());
}

}  // namespace
}  // namespace langevin
