#include "loadgen/schedule.hpp"

#include <cmath>
#include <stdexcept>

namespace inbox::loadgen {

Schedule::Schedule(double rate_per_second) : rate_(rate_per_second) {
    if (!(rate_per_second > 0) || !std::isfinite(rate_per_second)) {
        throw std::invalid_argument("the rate must be a positive number of requests per second");
    }
}

Nanos Schedule::offset(std::uint64_t index) const {
    const long double seconds = static_cast<long double>(index) / static_cast<long double>(rate_);
    return Nanos(static_cast<Nanos::rep>(std::llround(seconds * 1e9L)));
}

std::uint64_t Schedule::count_before(Nanos elapsed) const {
    if (elapsed.count() <= 0) return 0;
    // First guess from the rate, then settle it against offset() so both agree exactly.
    auto count = static_cast<std::uint64_t>(
        std::ceil(static_cast<long double>(elapsed.count()) * static_cast<long double>(rate_) / 1e9L));
    while (count > 0 && offset(count - 1) >= elapsed) --count;
    while (offset(count) < elapsed) ++count;
    return count;
}

}  // namespace inbox::loadgen
