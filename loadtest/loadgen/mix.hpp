#pragma once

#include <cstddef>
#include <vector>

namespace inbox::loadgen {

// Picks which request of the scenario goes next, in exact proportion to the weights and evenly spread
// (smooth weighted round-robin, as nginx balances upstreams): weights 3,1 give A A B A | A A B A ...
// Deterministic, so every endpoint's achieved rate can be compared with its exact target rate.
class WeightedMix {
public:
    explicit WeightedMix(std::vector<unsigned> weights);

    std::size_t next();
    double share(std::size_t index) const;  // weight / total weight

private:
    std::vector<unsigned> weights_;
    std::vector<long long> current_;
    long long total_ = 0;
};

}  // namespace inbox::loadgen
