#include "loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace inbox::loadgen {
namespace {

constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << LatencyHistogram::kSubBucketBits;
constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << LatencyHistogram::kMaxValueBits) - 1;
constexpr std::size_t kBucketCount =
    kSubBuckets + (LatencyHistogram::kMaxValueBits - LatencyHistogram::kSubBucketBits) * kSubBuckets;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

std::size_t LatencyHistogram::bucket_index(std::uint64_t value) {
    value = std::min(value, kMaxValue);
    if (value < kSubBuckets) return static_cast<std::size_t>(value);
    const int top_bit = std::bit_width(value) - 1;  // >= kSubBucketBits
    const int shift = top_bit - kSubBucketBits;
    const std::uint64_t sub = (value >> shift) - kSubBuckets;  // 0 .. kSubBuckets-1
    return static_cast<std::size_t>(kSubBuckets + static_cast<std::uint64_t>(shift) * kSubBuckets + sub);
}

std::uint64_t LatencyHistogram::bucket_lower(std::size_t index) {
    if (index < kSubBuckets) return index;
    const std::uint64_t shift = (index - kSubBuckets) / kSubBuckets;
    const std::uint64_t sub = (index - kSubBuckets) % kSubBuckets;
    return (kSubBuckets + sub) << shift;
}

std::uint64_t LatencyHistogram::bucket_width(std::size_t index) {
    if (index < kSubBuckets) return 1;
    return std::uint64_t{1} << ((index - kSubBuckets) / kSubBuckets);
}

void LatencyHistogram::record(std::uint64_t value) {
    ++counts_[bucket_index(value)];
    min_ = count_ == 0 ? value : std::min(min_, value);
    max_ = std::max(max_, value);
    ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    if (other.count_ == 0) return;
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    count_ += other.count_;
}

std::uint64_t LatencyHistogram::percentile(double percent) const {
    if (count_ == 0) return 0;
    percent = std::clamp(percent, 0.0, 100.0);
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            const std::uint64_t mid = bucket_lower(i) + bucket_width(i) / 2;
            return std::clamp(mid, min_, max_);
        }
    }
    return max_;
}

}  // namespace inbox::loadgen
