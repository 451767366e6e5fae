// Convergence diagnostics: ArviZ's numbers on the same arrays (tests/data/make_diagnostics_fixture.py),
// the AR(1) process's known effective sample size, and what the result must not depend on.

#include <langevin/diagnostics.hpp>
#include <langevin/error.hpp>
#include <langevin/gmm.hpp>
#include <langevin/io.hpp>

#include "test_files.hpp"
#include "thread_count.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace langevin {
namespace {

using testing::kTestData;

TEST(Diagnostics, AreArvizsOnTheSameDraws) {
  // The draws are float32 in both; every step after them runs in double, so the two agree to
  // double rounding accumulated over a few thousand terms (the FFTs differ: radix 2 here,
  // pocketfft there), far inside 1e-9 relative.
  std::ifstream file(kTestData + "diagnostics_arviz.json");
  const nlohmann::json reference = nlohmann::json::parse(file);
  for (const std::string name : {"three", "short"}) {
    SCOPED_TRACE(name);
    const Diagnostics d = diagnose(read_npy(kTestData + "diagnostics_" + name + ".npy"));
    const nlohmann::json& want = reference.at(name);
    ASSERT_EQ(static_cast<std::size_t>(d.dim), want.at("rhat").size());
    for (int k = 0; k < d.dim; ++k) {
      SCOPED_TRACE("coordinate " + std::to_string(k));
      const auto near = [](double got, double expected) {
        EXPECT_NEAR(got, expected, 1e-9 * std::abs(expected));
      };
      near(d.rhat[k], want["rhat"][k].get<double>());
      near(d.ess_bulk[k], want["ess_bulk"][k].get<double>());
      near(d.ess_tail[k], want["ess_tail"][k].get<double>());
      near(d.mcse_mean[k], want["mcse_mean"][k].get<double>());
    }
  }
}

/// M chains of T draws of the AR(1) process x_t = ρ x_{t−1} + √(1 − ρ²) z_t, stationary from
/// the start, as (M, T, 1).
Array ar1(std::int64_t chains, std::int64_t draws, double rho, std::uint64_t seed) {
  const Array z = draw(GaussianMixture({1.0}, {{0.0}}, {{1.0}}), chains * draws, seed);
  Array x({chains, draws, 1});
  for (std::int64_t c = 0; c < chains; ++c) {
    double state = z.values()[static_cast<std::size_t>(c * draws)];
    for (std::int64_t t = 0; t < draws; ++t) {
      if (t > 0) {
        state = rho * state + std::sqrt(1 - rho * rho) * z.values()[static_cast<std::size_t>(c * draws + t)];
      }
      x.values()[static_cast<std::size_t>(c * draws + t)] = static_cast<float>(state);
    }
  }
  return x;
}

TEST(Diagnostics, FindTheEffectiveSampleSizeOfAnAutoregressiveChain) {
  // For AR(1) the mean's ESS is N (1 − ρ)/(1 + ρ). The estimate τ̂ summed over a window of W lags
  // has relative standard deviation √(2(2W + 1)/N) (Sokal 1997); Geyer's sequence stops near
  // W ≈ 5τ = 5 (1 + ρ)/(1 − ρ) = 95 lags for ρ = 0.9, so with N = 16 × 10 000 it is 5 %: 15 % is
  // three of them. Rank-normalising a Gaussian process changes its autocorrelations little, so
  // the bulk ESS sits within the same bound; the draws are from one stationary process, so the
  // chains agree: R̂ below 1.01 (its deviation from 1 is of order 1/N per chain pair here).
  const double rho = 0.9;
  const Diagnostics d = diagnose(ar1(16, 10000, rho, 7));
  const double expected = 160000.0 * (1 - rho) / (1 + rho);
  const double ess_mean = std::pow(d.sd[0] / d.mcse_mean[0], 2);
  EXPECT_NEAR(ess_mean, expected, 0.15 * expected);
  EXPECT_NEAR(d.ess_bulk[0], expected, 0.15 * expected);
  EXPECT_LT(d.rhat[0], 1.01);
  EXPECT_GT(d.rhat[0], 0.99);
}

TEST(Diagnostics, SeeChainsThatDisagree) {
  // Two groups of chains around means 2 apart: the chain means' variance 1 against a
  // within-chain variance of 1 gives R̂ ≈ √2 on the draws (somewhat less after rank-normalising
  // the two-mode marginal), far above the 1.01 threshold.
  Array x = ar1(8, 2000, 0.0, 11);
  for (std::int64_t c = 4; c < 8; ++c) {
    for (std::int64_t t = 0; t < 2000; ++t) x.values()[static_cast<std::size_t>(c * 2000 + t)] += 2.0f;
  }
  EXPECT_GT(diagnose(x).rhat[0], 1.2);
}

TEST(Diagnostics, DoNotDependOnTheChainsOrderOrTheTrailingUnitAxis) {
  const Array x = ar1(6, 400, 0.5, 3);
  Array reversed({6, 400});
  for (std::int64_t c = 0; c < 6; ++c) {
    for (std::int64_t t = 0; t < 400; ++t) {
      reversed.values()[static_cast<std::size_t>(c * 400 + t)] =
          x.values()[static_cast<std::size_t>((5 - c) * 400 + t)];
    }
  }
  const Diagnostics a = diagnose(x), b = diagnose(reversed);
  EXPECT_EQ(b.dim, 1);
  EXPECT_NEAR(a.rhat[0], b.rhat[0], 1e-12);
  EXPECT_NEAR(a.ess_bulk[0], b.ess_bulk[0], 1e-9 * a.ess_bulk[0]);
  EXPECT_NEAR(a.ess_tail[0], b.ess_tail[0], 1e-9 * a.ess_tail[0]);
  EXPECT_NEAR(a.mcse_mean[0], b.mcse_mean[0], 1e-12);
}

TEST(Diagnostics, AreTheSameBitsOnAnyThreadCount) {
  // The chains go to the threads in blocks whose sums are folded in the blocks' order: 1, 2 and
  // 3 threads give the same doubles, every field (200 chains: blocks of 64, the last partial).
  Array x({200, 300, 2});
  const Array first = ar1(200, 300, 0.8, 21), second = ar1(200, 300, -0.3, 22);
  for (std::int64_t i = 0; i < 200 * 300; ++i) {
    x.values()[static_cast<std::size_t>(2 * i)] = first.values()[static_cast<std::size_t>(i)];
    x.values()[static_cast<std::size_t>(2 * i + 1)] = second.values()[static_cast<std::size_t>(i)];
  }
  testing::expect_same_on_any_thread_count(
      [&] { return diagnose(x, 4); },
      [](const Diagnostics& one, const Diagnostics& many) {
        EXPECT_EQ(many.rhat, one.rhat);  // bit for bit
        EXPECT_EQ(many.ess_bulk, one.ess_bulk);
        EXPECT_EQ(many.ess_tail, one.ess_tail);
        EXPECT_EQ(many.mean, one.mean);
        EXPECT_EQ(many.sd, one.sd);
        EXPECT_EQ(many.mcse_mean, one.mcse_mean);
        EXPECT_EQ(many.nested_rhat, one.nested_rhat);
      });
}

TEST(Diagnostics, NestedRhatOfAWrittenOutExample) {
  // Two superchains of two chains of four draws. Chains 0, 1: 0…3 and 1…4 (means 1.5, 2.5);
  // chains 2, 3: 4…7 and 6…9 (means 5.5, 7.5); every chain's variance 5/3. Superchain means 2
  // and 6.5 (variance 10.125); their chain means' variances 0.5 and 2, so W = 5/3 + 1.25.
  const Array x({4, 4}, {0, 1, 2, 3, 1, 2, 3, 4, 4, 5, 6, 7, 6, 7, 8, 9});
  const Diagnostics d = diagnose(x, 2);
  EXPECT_EQ(d.superchains, 2);
  ASSERT_EQ(d.nested_rhat.size(), 1u);
  EXPECT_NEAR(d.nested_rhat[0], std::sqrt(1 + 10.125 / (5.0 / 3 + 1.25)), 1e-14);
  EXPECT_TRUE(diagnose(x).nested_rhat.empty());
}

TEST(Diagnostics, NestedRhatOfShortIndependentChains) {
  // K = 64 superchains of M = 8 chains of N = 5 independent N(0, 1) draws: the superchains'
  // means have variance 1/(M N), W has mean 1 + 1/N, so nR̂² − 1 = B/W ≈ 1/(M N (1 + 1/N)) =
  // 1/48, with B/W's relative standard deviation √(2/(K − 1)) (B is a variance of K means).
  const Array x = ar1(64 * 8, 5, 0.0, 19);
  const Diagnostics d = diagnose(x, 64);
  const double expected = 1.0 / 48.0;
  EXPECT_NEAR(d.nested_rhat[0] * d.nested_rhat[0] - 1, expected, 4 * expected * std::sqrt(2.0 / 63));
  // The same chains with each superchain moved by its index: the superchains disagree.
  Array moved = x;
  for (std::size_t i = 0; i < moved.values().size(); ++i) moved.values()[i] += static_cast<float>(i / 40);
  EXPECT_GT(diagnose(moved, 64).nested_rhat[0], 10.0);
}

bool same_numbers(const Diagnostics& a, const Diagnostics& b) {
  return a.chains == b.chains && a.draws == b.draws && a.dim == b.dim && a.rhat == b.rhat &&
         a.ess_bulk == b.ess_bulk && a.ess_tail == b.ess_tail && a.mean == b.mean &&
         a.sd == b.sd && a.mcse_mean == b.mcse_mean && a.superchains == b.superchains &&
         a.nested_rhat == b.nested_rhat;
}

// A float32 .npy is mapped rather than read; other files are read whole. Either way the numbers
// are the array's.
TEST(Diagnostics, OfAFileAreThoseOfItsArray) {
  const testing::TempDir dir;
  const Array one = ar1(12, 40, 0.6, 23), other = ar1(12, 40, 0.2, 24);
  Array x({12, 40, 2});
  for (std::int64_t i = 0; i < 12 * 40; ++i) {
    x.values()[static_cast<std::size_t>(2 * i)] = one.values()[static_cast<std::size_t>(i)];
    x.values()[static_cast<std::size_t>(2 * i + 1)] = other.values()[static_cast<std::size_t>(i)];
  }
  const Diagnostics expected = diagnose(x, 3);
  write_npy(dir.file("t.npy"), x);
  EXPECT_TRUE(same_numbers(diagnose_file(dir.file("t.npy"), 3), expected));
  // float64, which read_npy converts (the values are floats, so exactly).
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (12, 40, 2), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  for (float v : x.values()) {
    const double wide = v;
    bytes.append(reinterpret_cast<const char*>(&wide), sizeof wide);
  }
  std::ofstream(dir.file("wide.npy"), std::ios::binary) << bytes;
  EXPECT_TRUE(same_numbers(diagnose_file(dir.file("wide.npy"), 3), expected));
  if (hdf5_available()) {
    write_array(dir.file("t.h5"), x);
    EXPECT_TRUE(same_numbers(diagnose_file(dir.file("t.h5"), 3), expected));
  }
  EXPECT_THROW(diagnose_file(dir.file("missing.npy")), InvalidInput);
  write_npy(dir.file("one.npy"), Array({1, 10, 2}));
  EXPECT_THROW(diagnose_file(dir.file("one.npy")), InvalidInput);
}

TEST(Diagnostics, RefuseWhatTheyCannotDiagnose) {
  const auto message_with = [](const Array& x, std::int64_t superchains) {
    try {
      diagnose(x, superchains);
    } catch (const InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const auto message = [&](const Array& x) { return message_with(x, 0); };
  EXPECT_NE(message(Array({1, 10, 2})).find("chains = 1"), std::string::npos);
  EXPECT_NE(message(Array({4, 3, 2})).find("draws = 3"), std::string::npos);
  EXPECT_NE(message(Array({10})).find("rank 1"), std::string::npos);
  EXPECT_NE(message_with(Array({4, 4, 1}), 3).find("superchains = 3"), std::string::npos);
  EXPECT_NE(message_with(Array({4, 4, 1}), 1).find("superchains = 1"), std::string::npos);
  Array bad({2, 4, 1});
  bad.values()[5] = NAN;
  EXPECT_NE(message(bad).find("value 5"), std::string::npos);
}

}  // namespace
}  // namespace langevin
