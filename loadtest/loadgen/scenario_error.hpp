#pragma once

#include <stdexcept>
#include <string>

namespace inbox::loadgen {

// A scenario file (or a value referenced by it) that cannot be used; the message says where and why.
class ScenarioError : public std::runtime_error {
public:
    explicit ScenarioError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace inbox::loadgen
