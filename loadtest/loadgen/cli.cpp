#include "loadgen/cli.hpp"

#include <charconv>
#include <cmath>

namespace inbox::loadgen {
namespace {

double parse_number(std::string_view text, std::string_view flag) {
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value)) {
        throw CliError(std::string(flag) + ": not a number: \"" + std::string(text) + "\"");
    }
    return value;
}

int parse_count(std::string_view text, std::string_view flag, int low, int high) {
    int value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size() || value < low || value > high) {
        throw CliError(std::string(flag) + ": expected an integer from " + std::to_string(low) + " to " +
                       std::to_string(high) + ", got \"" + std::string(text) + "\"");
    }
    return value;
}

}  // namespace

Nanos parse_duration(std::string_view text) {
    struct Unit {
        std::string_view suffix;
        double seconds;
    };
    static constexpr Unit kUnits[] = {{"ms", 1e-3}, {"us", 1e-6}, {"s", 1.0}, {"m", 60.0}, {"h", 3600.0}};
    double scale = 1.0;
    std::string_view number = text;
    for (const Unit& unit : kUnits) {
        if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
            scale = unit.seconds;
            number = text.substr(0, text.size() - unit.suffix.size());
            break;
        }
    }
    const double value = parse_number(number, "duration");
    if (value < 0) throw CliError("duration: must not be negative: \"" + std::string(text) + "\"");
    return Nanos(static_cast<Nanos::rep>(std::llround(value * scale * 1e9)));
}

Options parse_cli(const std::vector<std::string_view>& args) {
    Options options;
    bool have_rate = false;
    bool have_duration = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view flag = args[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= args.size()) throw CliError(std::string(flag) + " needs a value");
            return args[++i];
        };
        if (flag == "-h" || flag == "--help") {
            options.help = true;
        } else if (flag == "--target") {
            options.target = value();
        } else if (flag == "--scenario") {
            options.scenario_file = value();
        } else if (flag == "--rate") {
            options.rate = parse_number(value(), flag);
            if (!(options.rate > 0) || options.rate > 10'000'000) throw CliError("--rate must be in (0, 1e7]");
            have_rate = true;
        } else if (flag == "--closed-loop") {
            options.closed_loop = true;
        } else if (flag == "--duration") {
            options.duration = parse_duration(value());
            have_duration = true;
        } else if (flag == "--warmup") {
            options.warmup = parse_duration(value());
        } else if (flag == "--timeout") {
            options.timeout = parse_duration(value());
        } else if (flag == "--connections") {
            options.connections = parse_count(value(), flag, 1, 100'000);
        } else if (flag == "--threads") {
            options.threads = parse_count(value(), flag, 1, 256);
        } else if (flag == "--max-queue") {
            options.max_queue = static_cast<std::size_t>(parse_count(value(), flag, 1, 100'000'000));
        } else if (flag == "--json") {
            options.json_out = std::string(value());
        } else if (flag == "--var") {
            const std::string_view assignment = value();
            const std::size_t equals = assignment.find('=');
            if (equals == std::string_view::npos || equals == 0) {
                throw CliError("--var expects name=value, got \"" + std::string(assignment) + "\"");
            }
            options.vars[std::string(assignment.substr(0, equals))] = std::string(assignment.substr(equals + 1));
        } else if (flag == "--seed") {
            const std::string_view text = value();
            std::uint64_t seed = 0;
            const auto result = std::from_chars(text.data(), text.data() + text.size(), seed);
            if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
                throw CliError("--seed expects an unsigned integer, got \"" + std::string(text) + "\"");
            }
            options.seed = seed;
        } else if (flag == "--fail-on-errors") {
            options.fail_on_errors = true;
        } else {
            throw CliError("unknown option \"" + std::string(flag) + "\"");
        }
    }
    if (options.help) return options;
    if (options.target.empty()) throw CliError("--target is required");
    if (options.scenario_file.empty()) throw CliError("--scenario is required");
    if (have_rate == options.closed_loop) throw CliError("give either --rate or --closed-loop");
    if (!have_duration || options.duration.count() == 0) throw CliError("--duration is required and must be > 0");
    if (options.timeout.count() == 0) throw CliError("--timeout must be > 0");
    return options;
}

std::string usage() {
    return R"(usage: inbox-loadgen --target http://127.0.0.1:8080 --scenario FILE (--rate REQ_PER_S | --closed-loop) --duration 30s
                     [--warmup 5s] [--connections 64] [--threads 1] [--timeout 10s] [--max-queue N]
                     [--json OUT.json] [--var name=value ...] [--seed N] [--fail-on-errors]

Open-loop load generator: request i is due at start + i/rate whatever the server does, and its latency
is measured from that time, including any wait for a free connection. Only loopback targets are allowed.

  --rate          total requests per second across the scenario's weighted mix
  --closed-loop   instead of a rate: each connection sends its next request as soon as the previous one is
                  answered (as wrk does), latency measured from the send; the achieved rate is the server's
                  throughput at that concurrency
  --duration      measured window; --warmup runs before it (sent, not recorded)
  --connections   persistent keep-alive connections
  --max-queue     due requests allowed to wait for a connection; beyond it they count as "dropped"
                  (default: one second of requests, at least 100)
  --timeout       per request, from when it is written (counted as "timeout")
  --var           fills {{name}} placeholders; overrides the scenario's "vars"
  --seed          seeds id-list picks and {{uuid}} (default: random, printed)
  --fail-on-errors  exit 3 if any measured request got no response or a status outside 2xx/3xx
Exit codes: 0 done, 1 run failed, 2 bad arguments or scenario, 3 failures with --fail-on-errors.
)";
}

}  // namespace inbox::loadgen
