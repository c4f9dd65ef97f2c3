#include "inbox/cache/redis_cache.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "inbox/util/run_blocking.hpp"
#include "sigpipe_guard.hpp"

namespace inbox::cache {
namespace {

constexpr auto kLogInterval = std::chrono::seconds(5);

// Redis rejects EX 0; the in-memory cache applies the same floor.
std::string ttl_argument(std::chrono::seconds ttl) {
    return std::to_string(std::max<std::chrono::seconds::rep>(ttl.count(), 1));
}

// Built outside the coroutines: GCC 12 miscompiles braced lists of string literals inside a coroutine body
// ("array used as initializer").
template <typename... Parts>
std::vector<std::string_view> command_line(const Parts&... parts) {
    return {std::string_view(parts)...};
}

// `command` followed by every key (MGET, DEL). The views point into `keys`, which must outlive the command.
std::vector<std::string_view> keyed_command_line(std::string_view command, const std::vector<std::string>& keys) {
    std::vector<std::string_view> argv;
    argv.reserve(keys.size() + 1);
    argv.push_back(command);
    for (const auto& key : keys) argv.push_back(key);
    return argv;
}

bool is_status(const redisReply& reply, std::string_view text) {
    return reply.type == REDIS_REPLY_STATUS && std::string_view(reply.str, reply.len) == text;
}

}  // namespace

RedisCache::RedisCache(std::string_view url, boost::asio::thread_pool& blocking,
                       observability::MetricsRegistry& metrics, RedisPoolOptions options)
    : blocking_(blocking),
      pool_(parse_redis_url(url), options),
      metrics_(metrics, "redis"),
      log_throttle_(kLogInterval) {}

boost::asio::awaitable<std::optional<std::string>> RedisCache::get(std::string key) {
    auto reply = co_await command(key, command_line("GET", key));
    if (!reply) co_return std::nullopt;
    if (reply->type == REDIS_REPLY_STRING) {
        metrics_.record(key, CacheResult::hit);
        co_return std::string(reply->str, reply->len);
    }
    if (reply->type == REDIS_REPLY_NIL) {
        metrics_.record(key, CacheResult::miss);
    } else {
        metrics_.record(key, CacheResult::error);
        log_failure("GET answered an unexpected reply type " + std::to_string(reply->type));
    }
    co_return std::nullopt;
}

boost::asio::awaitable<std::vector<std::optional<std::string>>> RedisCache::get_many(std::vector<std::string> keys) {
    std::vector<std::optional<std::string>> values(keys.size());
    if (keys.empty()) co_return values;
    auto reply = co_await command(keys.front(), keyed_command_line("MGET", keys));
    if (!reply) co_return values;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != keys.size()) {
        for (const auto& key : keys) metrics_.record(key, CacheResult::error);
        log_failure("MGET answered an unexpected reply type " + std::to_string(reply->type));
        co_return values;
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const redisReply& element = *reply->element[i];
        if (element.type == REDIS_REPLY_STRING) values[i] = std::string(element.str, element.len);
        metrics_.record(keys[i], values[i] ? CacheResult::hit : CacheResult::miss);
    }
    co_return values;
}

boost::asio::awaitable<void> RedisCache::set(std::string key, std::string value, std::chrono::seconds ttl) {
    auto seconds = ttl_argument(ttl);
    co_await command(key, command_line("SET", key, value, "EX", seconds));
}

boost::asio::awaitable<bool> RedisCache::set_if_absent(std::string key, std::string value, std::chrono::seconds ttl) {
    auto seconds = ttl_argument(ttl);
    auto reply = co_await command(key, command_line("SET", key, value, "NX", "EX", seconds));
    if (!reply) co_return true;  // fail open: see Cache::set_if_absent
    if (reply->type == REDIS_REPLY_NIL) {
        metrics_.record(key, CacheResult::hit);
        co_return false;
    }
    if (is_status(*reply, "OK")) {
        metrics_.record(key, CacheResult::miss);
    } else {
        metrics_.record(key, CacheResult::error);
        log_failure("SET NX answered an unexpected reply type " + std::to_string(reply->type));
    }
    co_return true;
}

boost::asio::awaitable<void> RedisCache::erase(std::string key) { co_await command(key, command_line("DEL", key)); }

boost::asio::awaitable<void> RedisCache::erase_many(std::vector<std::string> keys) {
    if (keys.empty()) co_return;
    co_await command(keys.front(), keyed_command_line("DEL", keys));
}

boost::asio::awaitable<std::string> RedisCache::health() {
    auto outcome = co_await execute(command_line("PING"));
    if (outcome.reply && is_status(*outcome.reply, "PONG")) co_return "ok";
    co_return "degraded";
}

boost::asio::awaitable<RedisCache::Outcome> RedisCache::execute(std::vector<std::string_view> argv) {
    // A dead Redis must cost nothing: no hop to the blocking pool while waiting to reconnect.
    if (pool_.unavailable()) co_return Outcome{nullptr, "redis unreachable, waiting to reconnect"};

    co_return co_await run_blocking(blocking_, [this, &argv]() -> Outcome {
        SigpipeGuard sigpipe_guard;
        try {
            auto lease = pool_.acquire();
            auto reply = run_redis_command(lease.context(), argv);
            if (!reply) {
                Outcome failed{nullptr, redis_error_message(lease.context())};
                lease.discard();
                return failed;
            }
            if (reply->type == REDIS_REPLY_ERROR) return Outcome{nullptr, std::string(reply->str, reply->len)};
            return Outcome{std::move(reply), {}};
        } catch (const std::exception& error) {
            return Outcome{nullptr, error.what()};
        } catch (...) {
            return Outcome{nullptr, "unknown exception"};
        }
    });
}

boost::asio::awaitable<RedisReplyPtr> RedisCache::command(std::string_view key, std::vector<std::string_view> argv) {
    auto outcome = co_await execute(std::move(argv));
    if (!outcome.reply) {
        metrics_.record(key, CacheResult::error);
        log_failure(outcome.error);
    }
    co_return std::move(outcome.reply);
}

void RedisCache::log_failure(std::string_view error) {
    auto suppressed = log_throttle_.admit(std::chrono::steady_clock::now());
    if (!suppressed) return;
    if (*suppressed == 0) {
        spdlog::warn("redis cache at {}: {} (answered as a miss)", pool_.endpoint().display(), error);
    } else {
        spdlog::warn("redis cache at {}: {} (answered as a miss; {} more errors since the last report)",
                     pool_.endpoint().display(), error, *suppressed);
    }
}

}  // namespace inbox::cache
