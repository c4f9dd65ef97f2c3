#pragma once
// fake-graph's command line → ServerOptions. No I/O besides reading the --config file.
#include <optional>
#include <string>
#include <vector>

#include "fake_graph/server.hpp"

namespace fake_graph {

extern const char* const kUsage;

// std::nullopt for --help; throws std::invalid_argument with a one-line reason on bad input.
std::optional<ServerOptions> parse_command_line(const std::vector<std::string>& args);

}  // namespace fake_graph
