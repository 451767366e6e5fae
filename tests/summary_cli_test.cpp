// langevin sample --summary: the running statistics of a chunked run equal the statistics of the
// same run's samples written with --out, and the file says how the run was made.

#include <langevin/langevin.hpp>

#include "cli_runner.hpp"
#include "test_files.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace langevin {
namespace {

using testing::run_cli;
using testing::TempDir;

const std::string kRing8 = std::string(LANGEVIN_SOURCE_DIR) + "/examples/data/ring8.json";

TEST(SummaryCli, ChunkedSummaryEqualsTheStatisticsOfTheSamples) {
  TempDir dir;
  const std::string run = "sample --gmm " + kRing8 +
                          " --chains 5000 --steps 50 --seed 4 --first-chain 9 --backend cpu --quiet";
  ASSERT_EQ(run_cli(run + " --out " + dir.file("x.npy")).status, 0);
  const auto summarised = run_cli(run + " --summary " + dir.file("s.json") +
                                  " --bins 16 --range -8,8 --chunk-chains 1200 --json",
                                  /*merge_stderr=*/false);
  ASSERT_EQ(summarised.status, 0) << summarised.output;
  EXPECT_EQ(nlohmann::json::parse(summarised.output)["rows"], 5000);

  std::ifstream file(dir.file("s.json"));
  const nlohmann::json s = nlohmann::json::parse(file);
  const SampleSummary expected = summarize(read_npy(dir.file("x.npy")), {16, -8.0, 8.0});
  EXPECT_EQ(s["format"], "langevin-summary-1");
  EXPECT_EQ(s["count"], 5000);
  EXPECT_EQ(s["dim"], 2);
  EXPECT_EQ(s["run"]["chains"], 5000);
  EXPECT_EQ(s["run"]["first_chain"], 9);
  EXPECT_EQ(s["run"]["backend"], "cpu");
  const std::vector<double> variance = expected.variance();
  for (int j = 0; j < 2; ++j) {
    // Chunks merge in another order than one block walk: double rounding apart.
    EXPECT_NEAR(s["mean"][j].get<double>(), expected.mean[j], 1e-12);
    EXPECT_NEAR(s["variance"][j].get<double>(), variance[j], 1e-12 * variance[j]);
    EXPECT_EQ(s["min"][j].get<double>(), expected.min[j]);
    EXPECT_EQ(s["max"][j].get<double>(), expected.max[j]);
    const std::uint64_t* slots = expected.histogram_of(j);
    EXPECT_EQ(s["histogram"]["below"][j].get<std::uint64_t>(), slots[0]);
    EXPECT_EQ(s["histogram"]["above"][j].get<std::uint64_t>(), slots[17]);
    for (int b = 0; b < 16; ++b) {
      EXPECT_EQ(s["histogram"]["counts"][j][b].get<std::uint64_t>(), slots[b + 1]) << j << ", " << b;
    }
  }
}

}  // namespace
}  // namespace langevin
