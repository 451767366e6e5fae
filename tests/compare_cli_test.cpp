// `langevin compare` as a user meets it: the table, --json agreeing with the library, the plot,
// exit statuses and one-line errors, and no plot left behind by a failed run.

#include <langevin/langevin.hpp>
#include <langevin/stats.hpp>

#include "cli_runner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace langevin {
namespace {

namespace fs = std::filesystem;

using Result = testing::CliResult;
using testing::run_cli;

/// Values i·step + offset, i = 0 … size−1, in the given shape (deterministic, with a few ties
/// once rounded by float).
Array ramp(std::vector<std::int64_t> shape, float step, float offset) {
  Array array(std::move(shape));
  for (std::int64_t i = 0; i < array.size(); ++i) {
    array[i] = static_cast<float>(i % 97) * step + offset;
  }
  return array;
}

class CompareCli : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("langevin_compare_cli_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(directory_);
    a_ = ramp({300, 2}, 0.1f, -2.0f);
    b_ = ramp({200, 2}, 0.12f, -1.0f);
    write_npy(path("a.npy"), a_);
    write_npy(path("b.npy"), b_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string path(const std::string& name) const { return (directory_ / name).string(); }
  std::string pair() const { return path("a.npy") + " " + path("b.npy"); }

  fs::path directory_;
  Array a_, b_;
};

TEST_F(CompareCli, PrintsOneAlignedRowPerCoordinate) {
  const Result r = run_cli("compare " + pair() + " --backend cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  std::istringstream lines(r.output);
  std::vector<std::string> table;
  for (std::string line; std::getline(lines, line);) table.push_back(line);
  ASSERT_EQ(table.size(), 6u) << r.output;  // A:, B:, header, coordinates 0 and 1, sliced W1
  EXPECT_NE(table[0].find("a.npy"), std::string::npos);
  EXPECT_NE(table[0].find("300"), std::string::npos);
  EXPECT_NE(table[1].find("b.npy"), std::string::npos);
  for (const char* column : {"KS", "p-value", "W1", "mean A", "std A", "mean B", "std B"}) {
    EXPECT_NE(table[2].find(column), std::string::npos) << column;
  }
  EXPECT_EQ(table[3].rfind("    0 ", 0), 0u) << table[3];
  EXPECT_EQ(table[4].rfind("    1 ", 0), 0u) << table[4];
  EXPECT_EQ(table[5].rfind("sliced Wasserstein-1 (A, B): ", 0), 0u) << table[5];
  EXPECT_EQ(table[3].size(), table[2].size());  // aligned under the header
}

TEST_F(CompareCli, JsonAgreesWithTheLibrary) {
  const Result r = run_cli("compare " + pair() + " --json --split 0.5 --backend cpu", false);
  ASSERT_EQ(r.status, 0) << r.output;
  const nlohmann::json json = nlohmann::json::parse(r.output);
  CompareOptions options;
  options.split = 0.5;
  options.backend = Backend::Cpu;
  const Comparison expected = compare(a_, b_, options);
  EXPECT_EQ(json.at("dim").get<int>(), 2);
  EXPECT_EQ(json.at("count_a").get<std::int64_t>(), 300);
  EXPECT_EQ(json.at("split").get<double>(), 0.5);
  EXPECT_EQ(json.at("ks").get<std::vector<double>>(), expected.ks);
  EXPECT_EQ(json.at("wasserstein1").get<std::vector<double>>(), expected.wasserstein1);
  EXPECT_EQ(json.at("above_a").get<std::vector<double>>(), expected.above_a);
  EXPECT_EQ(json.at("above_b").get<std::vector<double>>(), expected.above_b);
}

TEST_F(CompareCli, TrajectoriesCompareAsTheirRows) {
  const Array trajectory({100, 3, 2}, a_.values());
  write_npy(path("t.npy"), trajectory);
  const Result rows = run_cli("compare " + pair() + " --json --backend cpu", false);
  const Result steps =
      run_cli("compare " + path("t.npy") + " " + path("b.npy") + " --json --backend cpu", false);
  ASSERT_EQ(rows.status, 0);
  ASSERT_EQ(steps.status, 0);
  EXPECT_EQ(rows.output, steps.output);
}

TEST_F(CompareCli, PlotWritesAnSvgLabelledWithTheFileNames) {
  const std::string plot = path("ecdf.svg");
  const Result r = run_cli("compare " + pair() + " --plot " + plot + " --backend cpu");
  ASSERT_EQ(r.status, 0) << r.output;
  std::ifstream in(plot);
  std::ostringstream svg;
  svg << in.rdbuf();
  EXPECT_EQ(svg.str().rfind("<svg", 0), 0u);
  EXPECT_NE(svg.str().find(path("a.npy")), std::string::npos);
  EXPECT_NE(svg.str().find(path("b.npy")), std::string::npos);
  EXPECT_NE(r.output.find(plot), std::string::npos);
}

TEST_F(CompareCli, QuietPrintsNothingButStillPlots) {
  const Result r = run_cli("compare " + pair() + " --quiet --plot " + path("q.svg"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "");
  EXPECT_TRUE(fs::exists(path("q.svg")));
}

TEST_F(CompareCli, BadInputIsOneErrorLineWithStatusTwoAndNoPlot) {
  write_npy(path("three.npy"), Array({10, 3}));
  Array with_nan = a_;
  with_nan[5 * 2 + 1] = std::nanf("");
  write_npy(path("nan.npy"), with_nan);
  write_npy(path("rank4.npy"), Array({2, 2, 2, 2}));
  std::ofstream(path("broken.npy")) << "not an npy file";
  const std::string plot = path("never.svg");

  const std::vector<std::string> cases = {
      "compare " + path("a.npy") + " " + path("three.npy") + " --plot " + plot,
      "compare " + path("a.npy") + " " + path("nan.npy") + " --plot " + plot,
      "compare " + path("rank4.npy") + " " + path("b.npy") + " --plot " + plot,
      "compare " + path("a.npy") + " " + path("missing.npy") + " --plot " + plot,
      "compare " + path("broken.npy") + " " + path("b.npy") + " --plot " + plot,
      "compare " + pair() + " --plot " + path("never.png"),
      "compare " + pair() + " --plot " + path("no/such/dir/x.svg"),
      "compare " + pair() + " --split abc",
      "compare " + pair() + " --backend gpu",
      "compare " + path("a.npy"),
  };
  for (const std::string& arguments : cases) {
    const Result r = run_cli(arguments);
    EXPECT_EQ(r.status, 2) << arguments << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("langevin: error: ", 0), 0u) << arguments << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1)
        << arguments << "\n" << r.output;
    EXPECT_FALSE(fs::exists(plot)) << arguments;
  }
  // The error names the set, its file, the row and the coordinate.
  const Result nan = run_cli("compare " + path("a.npy") + " " + path("nan.npy"));
  EXPECT_NE(nan.output.find("nan.npy"), std::string::npos) << nan.output;
  EXPECT_NE(nan.output.find("set B, row 5, coordinate 1"), std::string::npos) << nan.output;
}

TEST_F(CompareCli, CudaWithoutAGpuIsAFailureWithStatusOne) {
  if (cuda_available()) GTEST_SKIP() << "a GPU is present";
  const Result r = run_cli("compare " + pair() + " --backend cuda");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output.rfind("langevin: error: ", 0), 0u) << r.output;
}

TEST_F(CompareCli, AnswersHelp) {
  const Result r = run_cli("compare --help");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("--plot"), std::string::npos);
  EXPECT_NE(r.output.find("--json"), std::string::npos);
  EXPECT_NE(r.output.find("--split"), std::string::npos);
}

}  // namespace
}  // namespace langevin
