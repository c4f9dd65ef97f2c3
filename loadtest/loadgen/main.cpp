// inbox-loadgen: open-loop HTTP/1.1 load generator for the inbox API (see loadtest/scenarios/README.md).

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "loadgen/cli.hpp"
#include "loadgen/engine.hpp"
#include "loadgen/report.hpp"
#include "loadgen/scenario.hpp"
#include "loadgen/scenario_error.hpp"
#include "loadgen/target.hpp"

namespace {

using namespace inbox::loadgen;

constexpr int kExitOk = 0;
constexpr int kExitRunFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFailures = 3;

std::uint64_t random_u64() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

RunReport make_report(const Scenario& scenario, const EngineConfig& config, const EngineResult& result) {
    RunReport report;
    report.scenario = scenario.name;
    report.target_rate = config.rate;
    report.duration_s = std::chrono::duration<double>(config.duration).count();
    report.warmup_s = std::chrono::duration<double>(config.warmup).count();
    report.connections = config.connections;
    report.threads = config.threads;
    report.seed = config.seed;
    report.max_queue = config.max_queue;
    report.max_queue_depth = result.max_queue_depth;
    report.scheduler_lag_p99_ms = static_cast<double>(result.scheduler_lag.percentile(99)) / 1e6;
    report.scheduler_lag_max_ms = static_cast<double>(result.scheduler_lag.max()) / 1e6;
    const double total_weight = scenario.total_weight();
    for (std::size_t i = 0; i < scenario.requests.size(); ++i) {
        report.endpoints.push_back(
            {scenario.requests[i].name, config.rate * scenario.requests[i].weight / total_weight, result.endpoints[i]});
    }
    return report;
}

int run(const std::vector<std::string_view>& args) {
    Options options;
    Target target;
    std::string address;
    Scenario scenario;
    try {
        options = parse_cli(args);
        if (options.help) {
            std::cout << usage();
            return kExitOk;
        }
        target = parse_target(options.target);
        address = resolve_loopback(target);
        scenario = load_scenario(options.scenario_file, options.vars);
    } catch (const CliError& e) {
        std::cerr << "inbox-loadgen: " << e.what() << "\n\n" << usage();
        return kExitUsage;
    } catch (const std::exception& e) {  // TargetError, ScenarioError
        std::cerr << "inbox-loadgen: " << e.what() << '\n';
        return kExitUsage;
    }

    EngineConfig config;
    config.address = address;
    config.port = target.port;
    config.host_header = target.host_header;
    config.base_path = target.base_path;
    config.rate = options.rate;
    config.closed_loop = options.closed_loop;
    config.duration = options.duration;
    config.warmup = options.warmup;
    config.timeout = options.timeout;
    config.connections = options.connections;
    config.threads = options.threads;
    config.max_queue =
        options.max_queue != 0 ? options.max_queue
                               : std::max<std::size_t>({100, static_cast<std::size_t>(options.rate),
                                                        static_cast<std::size_t>(options.connections)});
    config.seed = options.seed.value_or(random_u64());
    config.run_id = random_u64();

    std::cerr << "inbox-loadgen: " << scenario.name << " -> " << options.target << " (" << address << ") "
              << (config.closed_loop ? std::string("closed loop") : "at " + std::to_string(config.rate) + " req/s")
              << ", seed " << config.seed << '\n';
    const EngineResult result = run_engine(scenario, config);
    const RunReport report = make_report(scenario, config, result);

    std::cout << format_table(report) << std::flush;
    if (options.json_out) {
        std::ofstream out(*options.json_out);
        out << to_json(report).dump(2) << '\n';
        if (!out) {
            std::cerr << "inbox-loadgen: cannot write " << *options.json_out << '\n';
            return kExitRunFailed;
        }
    }
    return options.fail_on_errors && has_failures(report) ? kExitFailures : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(std::vector<std::string_view>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "inbox-loadgen: " << e.what() << '\n';
        return kExitRunFailed;
    }
}
