#include "loadgen/mix.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace inbox::loadgen {
namespace {

TEST(WeightedMix, FollowsTheWeightsExactlyAndSpreadsThem) {
    WeightedMix mix({3, 1});
    std::vector<std::size_t> picks;
    for (int i = 0; i < 8; ++i) picks.push_back(mix.next());
    EXPECT_EQ(picks, (std::vector<std::size_t>{0, 0, 1, 0, 0, 0, 1, 0}));
    EXPECT_DOUBLE_EQ(mix.share(0), 0.75);
}

TEST(WeightedMix, ProportionsHoldOverManyPicks) {
    WeightedMix mix({5, 3, 2});
    std::vector<int> counts(3);
    for (int i = 0; i < 10'000; ++i) ++counts[mix.next()];
    EXPECT_EQ(counts, (std::vector<int>{5000, 3000, 2000}));
}

TEST(WeightedMix, NeedsAPositiveWeight) {
    EXPECT_THROW(WeightedMix({}), std::invalid_argument);
    EXPECT_THROW(WeightedMix({0}), std::invalid_argument);
}

}  // namespace
}  // namespace inbox::loadgen
