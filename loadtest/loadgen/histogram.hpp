#pragma once

#include <cstdint>
#include <vector>

namespace inbox::loadgen {

// HDR-style histogram of non-negative integer values (the load generator records nanoseconds).
// Values below 2^kSubBucketBits are counted exactly; above, every power-of-two range is split into
// 2^kSubBucketBits linear buckets, so a bucket is at most 1/128 of its values wide and a reported
// percentile (the bucket midpoint) is within 0.4 % of a value that was recorded.
class LatencyHistogram {
public:
    static constexpr int kSubBucketBits = 7;
    static constexpr int kMaxValueBits = 44;  // ~4.9 hours in nanoseconds; larger values are clamped

    LatencyHistogram();

    void record(std::uint64_t value);
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
    std::uint64_t max() const { return max_; }

    // Nearest-rank percentile, `percent` in [0, 100]: the smallest recorded value v such that at least
    // percent % of the values are <= v (up to the bucket resolution). 0 when empty.
    std::uint64_t percentile(double percent) const;

    // Bucket arithmetic, exposed for tests.
    static std::size_t bucket_index(std::uint64_t value);
    static std::uint64_t bucket_lower(std::size_t index);
    static std::uint64_t bucket_width(std::size_t index);

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t min_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace inbox::loadgen
