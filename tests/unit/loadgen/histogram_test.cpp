#include "loadgen/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace inbox::loadgen {
namespace {

std::uint64_t exact_percentile(std::vector<std::uint64_t> values, double percent) {
    std::sort(values.begin(), values.end());
    const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(percent / 100.0 * values.size())));
    return values[rank - 1];
}

void expect_percentiles_within_one_percent(const std::vector<std::uint64_t>& values) {
    LatencyHistogram histogram;
    for (auto value : values) histogram.record(value);
    for (double percent : {1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
        const double exact = static_cast<double>(exact_percentile(values, percent));
        const double reported = static_cast<double>(histogram.percentile(percent));
        EXPECT_NEAR(reported, exact, exact * 0.01) << "p" << percent;
    }
}

TEST(LatencyHistogram, UniformDistributionPercentilesWithinOnePercent) {
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<std::uint64_t> micros(1'000, 100'000'000);  // 1 µs .. 100 ms in ns
    std::vector<std::uint64_t> values(200'000);
    for (auto& value : values) value = micros(rng);
    expect_percentiles_within_one_percent(values);
}

TEST(LatencyHistogram, LongTailedDistributionPercentilesWithinOnePercent) {
    std::mt19937_64 rng(2);
    std::lognormal_distribution<double> latency(std::log(2e6), 1.5);  // median 2 ms, tail to seconds
    std::vector<std::uint64_t> values(200'000);
    for (auto& value : values) value = static_cast<std::uint64_t>(latency(rng)) + 1;
    expect_percentiles_within_one_percent(values);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
    LatencyHistogram histogram;
    for (std::uint64_t value = 0; value < 100; ++value) histogram.record(value);
    EXPECT_EQ(histogram.percentile(50), 49u);
    EXPECT_EQ(histogram.percentile(100), 99u);
    EXPECT_EQ(histogram.min(), 0u);
}

TEST(LatencyHistogram, EveryBucketIsNarrowerThanOnePercentOfItsValues) {
    for (std::size_t index = 128; index < LatencyHistogram::bucket_index(~0ull); ++index) {
        const auto lower = LatencyHistogram::bucket_lower(index);
        ASSERT_LE(static_cast<double>(LatencyHistogram::bucket_width(index)), 0.01 * static_cast<double>(lower));
        ASSERT_EQ(LatencyHistogram::bucket_index(lower), index);
        ASSERT_EQ(LatencyHistogram::bucket_index(lower + LatencyHistogram::bucket_width(index) - 1), index);
    }
}

TEST(LatencyHistogram, MaxIsExactAndBoundsEveryPercentile) {
    LatencyHistogram histogram;
    histogram.record(1'000'000);
    histogram.record(123'456'789);
    EXPECT_EQ(histogram.max(), 123'456'789u);
    EXPECT_LE(histogram.percentile(100), histogram.max());
    EXPECT_EQ(histogram.count(), 2u);
}

TEST(LatencyHistogram, EmptyReportsZero) {
    LatencyHistogram histogram;
    EXPECT_EQ(histogram.percentile(99), 0u);
    EXPECT_EQ(histogram.max(), 0u);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
    LatencyHistogram a, b, both;
    for (std::uint64_t v = 1; v <= 1000; ++v) {
        (v % 2 ? a : b).record(v * 1000);
        both.record(v * 1000);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), both.count());
    EXPECT_EQ(a.max(), both.max());
    EXPECT_EQ(a.min(), both.min());
    for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(a.percentile(p), both.percentile(p));
}

}  // namespace
}  // namespace inbox::loadgen
