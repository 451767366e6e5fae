// The CPU's lane vectors (cpu/lane_ops.hpp) against the scalar operations they stand for
// (ScalarOps, float_ops.hpp), lane by lane and bit for bit: the elementary functions and the
// blocks of chains are written once over the policy, so every lane operation must round, order
// and treat NaN exactly as the scalar one does, on every instruction set the lanes compile for.

#include "cpu/lane_ops.hpp"

#include <langevin/device/float_ops.hpp>
#include <langevin/device/philox.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace langevin::device {
namespace {

using Ops = LaneOps<16>;

std::uint32_t bits_of(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

/// Random floats over many magnitudes and signs, with the special values mixed in.
std::vector<float> test_floats(int n, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::vector<float> values;
  const float special[] = {0.0f, -0.0f, 1.0f, -1.0f,
                           std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN(),
                           std::numeric_limits<float>::denorm_min(),
                           std::numeric_limits<float>::max(), 65536.0f, 16777217.0f};
  for (int i = 0; i < n; ++i) {
    if (i % 7 == 0) {
      values.push_back(special[(i / 7) % (sizeof special / sizeof special[0])]);
    } else {  // any bit pattern that is not NaN: every exponent, both signs
      float x;
      do {
        const std::uint32_t b = static_cast<std::uint32_t>(engine());
        std::memcpy(&x, &b, sizeof x);
      } while (std::isnan(x));
      values.push_back(x);
    }
  }
  return values;
}

std::vector<std::uint32_t> test_words(int n, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::vector<std::uint32_t> words;
  const std::uint32_t special[] = {0u, 1u, 0xFFFFu, 0x10000u, 0x7FFFFFFFu, 0x80000000u,
                                   0xFFFFFFFFu, 0x00FFFFFFu, 0x01000001u};
  for (int i = 0; i < n; ++i) {
    words.push_back(i % 5 == 0 ? special[(i / 5) % (sizeof special / sizeof special[0])]
                               : static_cast<std::uint32_t>(engine()));
  }
  return words;
}

/// Whether the lane result equals the scalar one: the same bits, or both NaN.
::testing::AssertionResult same(float lane, float scalar) {
  if (bits_of(lane) == bits_of(scalar) || (std::isnan(lane) && std::isnan(scalar))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << lane << " against " << scalar;
}

constexpr int kCount = 16 * 20000;

TEST(LaneOps, FloatOperationsGiveTheScalarBits) {
  const std::vector<float> a = test_floats(kCount, 1), b = test_floats(kCount, 2),
                           c = test_floats(kCount, 3);
  for (int i = 0; i < kCount; i += 16) {
    const Ops::Float x = Ops::Float::load(&a[i]), y = Ops::Float::load(&b[i]),
                     z = Ops::Float::load(&c[i]);
    float fma[16], max[16], sqrt[16], sum[16], difference[16], product[16], quotient[16],
        negated[16], selected[16], less[16], unequal[16];
    Ops::fma(x, y, z).store(fma);
    Ops::max(x, y).store(max);
    Ops::sqrt(x).store(sqrt);
    (x + y).store(sum);
    (x - y).store(difference);
    (x * y).store(product);
    (x / y).store(quotient);
    (-x).store(negated);
    Ops::select(x > y, z, x).store(selected);
    Ops::select(x < y, Ops::splat(1.0f), Ops::splat(0.0f)).store(less);
    Ops::select(x != x, Ops::splat(1.0f), Ops::splat(0.0f)).store(unequal);
    for (int l = 0; l < 16; ++l) {
      const float p = a[i + l], q = b[i + l], r = c[i + l];
      SCOPED_TRACE(::testing::Message() << p << ", " << q << ", " << r);
      ASSERT_TRUE(same(fma[l], ScalarOps::fma(p, q, r)));
      ASSERT_TRUE(same(max[l], ScalarOps::max(p, q)));
      ASSERT_TRUE(same(sqrt[l], ScalarOps::sqrt(p)));
      ASSERT_TRUE(same(sum[l], p + q));
      ASSERT_TRUE(same(difference[l], p - q));
      ASSERT_TRUE(same(product[l], p * q));
      ASSERT_TRUE(same(quotient[l], p / q));
      ASSERT_TRUE(same(negated[l], -p));
      ASSERT_TRUE(same(selected[l], ScalarOps::select(p > q, r, p)));
      ASSERT_EQ(less[l], p < q ? 1.0f : 0.0f);
      ASSERT_EQ(unequal[l], p != p ? 1.0f : 0.0f);  // NaN is unequal to itself
    }
  }
}

TEST(LaneOps, WordOperationsGiveTheScalarBits) {
  const std::vector<std::uint32_t> a = test_words(kCount, 4), b = test_words(kCount, 5);
  for (int i = 0; i < kCount; i += 16) {
    const Ops::Word x = Ops::Word::load(&a[i]), y = Ops::Word::load(&b[i]);
    float from_word[16], from_int[16], from_bits[16];
    std::uint32_t low[16], high[16], mixed[16], shifted[16], selected[16];
    Ops::from_word(x).store(from_word);
    Ops::from_int(Ops::to_int(x)).store(from_int);
    Ops::from_bits(x).store(from_bits);
    Ops::Word hi;
    Ops::mulhilo(0xD2511F53u, x, hi).store(low);
    hi.store(high);
    ((x ^ y) + (x & 0xFFFFu) - (y | 3u)).store(mixed);
    ((x >> 23) + (y << 7)).store(shifted);
    Ops::select((x & 1u) != 0u, x, y).store(selected);
    for (int l = 0; l < 16; ++l) {
      const std::uint32_t p = a[i + l], q = b[i + l];
      SCOPED_TRACE(::testing::Message() << p << ", " << q);
      ASSERT_EQ(bits_of(from_word[l]), bits_of(ScalarOps::from_word(p)));
      ASSERT_EQ(bits_of(from_int[l]), bits_of(ScalarOps::from_int(ScalarOps::to_int(p))));
      ASSERT_EQ(bits_of(from_bits[l]), p);
      std::uint32_t scalar_high;
      ASSERT_EQ(low[l], ScalarPhiloxOps::mulhilo(0xD2511F53u, p, scalar_high));
      ASSERT_EQ(high[l], scalar_high);
      ASSERT_EQ(mixed[l], (p ^ q) + (p & 0xFFFFu) - (q | 3u));
      ASSERT_EQ(shifted[l], (p >> 23) + (q << 7));
      ASSERT_EQ(selected[l], (p & 1u) != 0u ? p : q);
    }
  }
}

}  // namespace
}  // namespace langevin::device
