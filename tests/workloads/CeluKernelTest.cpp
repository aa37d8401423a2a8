// The CPU bias + CELU of ANI-2x's networks: the -ffast-math rows against a float64 reference on
// fresh random inputs, NaN and infinity carried through (never turned into a finite number), and
// the build's flags (a file that loses -ffast-math loses the vector exp and half the network
// stage's speed: this fails instead).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "../PhysicsTestUtil.hpp"
#include "systems/Rng.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/CeluKernel.hpp"

namespace mlffb::ani {
namespace {

struct Block {
  int rows = 37, cols = 8 * 24 + 5;  // an odd width, so the vector loops have remainders
  std::vector<double> z, bias;
};

Block randomBlock() {
  Block b;
  Rng rng(test::freshSeed());
  b.z.resize(static_cast<size_t>(b.rows) * b.cols);
  b.bias.resize(b.cols);
  for (double& v : b.z) v = 12 * rng.uniform() - 6;
  for (double& v : b.bias) v = rng.uniform() - 0.5;
  return b;
}

/// CELU and CELU' in long double, plainly.
std::pair<double, double> reference(double z, double bias) {
  const long double x = static_cast<long double>(z) + bias, a = kCeluAlpha;
  if (x > 0) return {static_cast<double>(x), 1.0};
  const long double e = std::exp(x / a);
  return {static_cast<double>(a * (e - 1)), static_cast<double>(e)};
}

TEST(CeluKernel, FastRowsMatchAPlainReferenceInBothPrecisions) {
  const Block b = randomBlock();
  std::vector<double> z = b.z, d(z.size());
  biasCeluForward(z.data(), d.data(), b.bias.data(), b.rows, b.cols, static_cast<double>(kCeluAlpha));
  std::vector<float> zf(b.z.begin(), b.z.end()), df(zf.size()), bf(b.bias.begin(), b.bias.end());
  biasCeluForward(zf.data(), df.data(), bf.data(), b.rows, b.cols, static_cast<float>(kCeluAlpha));
  for (size_t k = 0; k < z.size(); ++k) {
    const auto [v, dv] = reference(b.z[k], b.bias[k % b.cols]);
    EXPECT_NEAR(z[k], v, 1e-14 * (1 + std::abs(v))) << k;
    EXPECT_NEAR(d[k], dv, 1e-14) << k;
    const auto [vf, dvf] = reference(static_cast<float>(b.z[k]), bf[k % b.cols]);
    EXPECT_NEAR(zf[k], vf, 4e-6 * (1 + std::abs(vf))) << k;
    EXPECT_NEAR(df[k], dvf, 4e-6) << k;
  }
}

TEST(CeluKernel, NaNAndInfinityAreCarriedThroughNotHidden) {
  const Block b = randomBlock();
  std::vector<float> z(b.z.begin(), b.z.end()), d(z.size()), bias(b.bias.begin(), b.bias.end());
  const int nanRow = 3, infRow = 11, nanCol = 17;
  z[nanRow * b.cols + nanCol] = std::numeric_limits<float>::quiet_NaN();
  z[infRow * b.cols + 2] = -std::numeric_limits<float>::infinity();
  z[infRow * b.cols + 5] = std::numeric_limits<float>::infinity();
  const std::vector<float> in = z;
  biasCeluForward(z.data(), d.data(), bias.data(), b.rows, b.cols, static_cast<float>(kCeluAlpha));
  EXPECT_TRUE(std::isnan(z[nanRow * b.cols + nanCol]));
  EXPECT_TRUE(std::isnan(d[nanRow * b.cols + nanCol]));
  EXPECT_FLOAT_EQ(z[infRow * b.cols + 2], -static_cast<float>(kCeluAlpha));  // CELU(−∞) = −α, CELU' = 0
  EXPECT_EQ(d[infRow * b.cols + 2], 0.0f);
  EXPECT_TRUE(std::isinf(z[infRow * b.cols + 5]));
  // Every other value of those rows (the IEEE path) and of the finite rows (the fast path) as usual.
  for (size_t k = 0; k < z.size(); ++k) {
    if (!std::isfinite(in[k])) continue;
    const auto [v, dv] = reference(in[k], bias[k % b.cols]);
    EXPECT_NEAR(z[k], v, 4e-6 * (1 + std::abs(v))) << k;
    EXPECT_NEAR(d[k], dv, 4e-6) << k;
  }
  // A NaN in the bias poisons its column in every row.
  std::vector<double> zd = b.z, dd(zd.size()), bd = b.bias;
  bd[4] = std::numeric_limits<double>::quiet_NaN();
  biasCeluForward(zd.data(), dd.data(), bd.data(), b.rows, b.cols, static_cast<double>(kCeluAlpha));
  for (int r = 0; r < b.rows; ++r) EXPECT_TRUE(std::isnan(zd[static_cast<size_t>(r) * b.cols + 4])) << "row " << r;
}

TEST(CeluKernel, FastRowsAreCompiledWithAVectorExp) {
  EXPECT_TRUE(celuFastPathVectorised())
      << "workloads/ani2x/CeluFastMath.cpp was not compiled with -O3 -ffast-math and a vector exp from the C library: "
         "check the set_source_files_properties in workloads/ani2x/CMakeLists.txt";
}

}  // namespace
}  // namespace mlffb::ani
