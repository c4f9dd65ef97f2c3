#include "loadgen/mix.hpp"

#include <stdexcept>
#include <utility>

namespace inbox::loadgen {

WeightedMix::WeightedMix(std::vector<unsigned> weights) : weights_(std::move(weights)), current_(weights_.size(), 0) {
    for (unsigned weight : weights_) total_ += weight;
    if (weights_.empty() || total_ == 0) throw std::invalid_argument("the mix needs at least one positive weight");
}

std::size_t WeightedMix::next() {
    std::size_t best = 0;
    for (std::size_t i = 0; i < weights_.size(); ++i) {
        current_[i] += weights_[i];
        if (current_[i] > current_[best]) best = i;
    }
    current_[best] -= total_;
    return best;
}

double WeightedMix::share(std::size_t index) const {
    return static_cast<double>(weights_.at(index)) / static_cast<double>(total_);
}

}  // namespace inbox::loadgen
