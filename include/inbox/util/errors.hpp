#pragma once
// Infrastructure failures that are expected to pass (Postgres down, pool exhausted). The HTTP layer maps them to
// 503 service_unavailable in one place; everything else that escapes a handler is a bug (500).
#include <stdexcept>

namespace inbox {

class UnavailableError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace inbox
