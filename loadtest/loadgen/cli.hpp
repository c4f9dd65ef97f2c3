#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/scenario.hpp"
#include "loadgen/schedule.hpp"

namespace inbox::loadgen {

class CliError : public std::runtime_error {
public:
    explicit CliError(const std::string& message) : std::runtime_error(message) {}
};

struct Options {
    std::string target;
    std::string scenario_file;
    double rate = 0;
    bool closed_loop = false;  // --closed-loop: every connection sends its next request as soon as it has an answer
    Nanos duration{0};
    Nanos warmup{0};
    Nanos timeout = std::chrono::seconds(10);
    int connections = 64;
    int threads = 1;
    std::size_t max_queue = 0;  // 0: one second of requests at the target rate (at least 100)
    std::optional<std::string> json_out;
    VarMap vars;
    std::optional<std::uint64_t> seed;
    bool fail_on_errors = false;
    bool help = false;
};

// "30s", "500ms", "2m", "1.5s", or a bare number of seconds. Throws CliError.
Nanos parse_duration(std::string_view text);

// Parses argv[1..]. Throws CliError with a message that names the flag.
Options parse_cli(const std::vector<std::string_view>& args);

std::string usage();

}  // namespace inbox::loadgen
