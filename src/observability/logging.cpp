#include "inbox/observability/logging.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <stdexcept>
#include <string>

namespace inbox::observability {
namespace {

std::atomic<LogStyle> g_style{LogStyle::text};

// The target is logged without its query: signed media URLs and SSE carry credentials there.
std::string_view without_query(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

void configure_logging(std::string_view level, LogStyle style) {
    auto parsed = spdlog::level::from_str(std::string(level));
    if (parsed == spdlog::level::off && level != "off") {
        throw std::invalid_argument("unknown log level: " + std::string(level));
    }
    auto logger = spdlog::stdout_logger_mt("inbox");
    spdlog::set_default_logger(logger);
    spdlog::set_level(parsed);
    g_style = style;
    if (style == LogStyle::json) {
        spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%v})", spdlog::pattern_time_type::utc);
    } else {
        spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    }
    spdlog::flush_on(spdlog::level::warn);
}

void log_access(const AccessLogEntry& entry) {
    if (!spdlog::should_log(spdlog::level::info)) return;
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(entry.elapsed).count();
    auto target = without_query(entry.target);
    if (g_style.load(std::memory_order_relaxed) == LogStyle::json) {
        nlohmann::json line = {{"event", "access"},          {"request_id", entry.request_id},
                               {"method", entry.method},     {"path", target},
                               {"route", entry.route},       {"status", entry.status},
                               {"bytes", entry.response_bytes}, {"duration_ms", static_cast<double>(micros) / 1000.0},
                               {"user", entry.user}};
        spdlog::info("{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
        spdlog::info("access request_id={} method={} path={} route={} status={} bytes={} duration_ms={:.3f} user={}",
                     entry.request_id, entry.method, target, entry.route, entry.status, entry.response_bytes,
                     static_cast<double>(micros) / 1000.0, entry.user.empty() ? "-" : entry.user);
    }
}

}  // namespace inbox::observability
