#include "fake_graph/cli.hpp"

#include <charconv>
#include <fstream>
#include <stdexcept>

namespace fake_graph {

const char* const kUsage =
    "usage: fake-graph --port P [--host 127.0.0.1] [--threads 2] [--tls-cert F --tls-key F]\n"
    "                  [--config knobs.json] [--latency-ms N] [--jitter-ms N] [--connection-delay-ms N]\n"
    "Prints 'listening on http(s)://HOST:PORT' once ready; --port 0 picks a free port. See docs/FAKE_GRAPH.md.\n";

namespace {

int to_int(const std::string& flag, const std::string& text, int min, int max) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
        throw std::invalid_argument(flag + " expects an integer in [" + std::to_string(min) + ", " +
                                    std::to_string(max) + "], got '" + text + "'");
    }
    return value;
}

nlohmann::json read_config(const std::string& path) {
    std::ifstream file(path);
    if (!file) throw std::invalid_argument("cannot read --config file '" + path + "'");
    auto config = nlohmann::json::parse(file, nullptr, false);
    if (config.is_discarded() || !config.is_object()) {
        throw std::invalid_argument("--config file '" + path + "' is not a JSON object");
    }
    return config;
}

}  // namespace

std::optional<ServerOptions> parse_command_line(const std::vector<std::string>& args) {
    ServerOptions options;
    nlohmann::json all_families = nlohmann::json::object();  // --latency-ms / --jitter-ms, applied after --config
    std::optional<int> connection_delay;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& flag = args[i];
        if (flag == "--help" || flag == "-h") return std::nullopt;
        if (i + 1 >= args.size()) throw std::invalid_argument("unknown flag or missing value: " + flag);
        const auto& value = args[++i];
        if (flag == "--port") options.port = static_cast<std::uint16_t>(to_int(flag, value, 0, 65535));
        else if (flag == "--host") options.host = value;
        else if (flag == "--threads") options.threads = to_int(flag, value, 1, 256);
        else if (flag == "--tls-cert") options.tls_cert_file = value;
        else if (flag == "--tls-key") options.tls_key_file = value;
        else if (flag == "--config") options.config = read_config(value);
        else if (flag == "--latency-ms") all_families["latency_ms"] = to_int(flag, value, 0, 3'600'000);
        else if (flag == "--jitter-ms") all_families["jitter_ms"] = to_int(flag, value, 0, 3'600'000);
        else if (flag == "--connection-delay-ms") connection_delay = to_int(flag, value, 0, 3'600'000);
        else throw std::invalid_argument("unknown flag: " + flag);
    }
    if (!all_families.empty()) {
        // Flags win over the config file, family by family, keeping the file's other per-family knobs.
        auto& families = options.config["families"];
        if (families.is_null()) families = nlohmann::json::object();
        if (families.is_object()) {
            for (auto family : kFamilies) {
                auto& patch = families[std::string(to_string(family))];
                if (patch.is_null()) patch = nlohmann::json::object();
                if (patch.is_object()) patch.update(all_families);
            }
        }
    }
    if (connection_delay) options.config["connection_delay_ms"] = *connection_delay;
    return options;
}

}  // namespace fake_graph
