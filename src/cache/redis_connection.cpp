#include "inbox/cache/redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace inbox::cache {
namespace {

timeval to_timeval(std::chrono::milliseconds timeout) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
    return timeval{static_cast<time_t>(seconds.count()), static_cast<suseconds_t>(micros.count())};
}

// Runs a set-up command (AUTH, SELECT) that must answer +OK.
void expect_ok(redisContext& context, std::span<const std::string_view> argv, std::string_view what,
               const RedisEndpoint& endpoint) {
    auto reply = run_redis_command(context, argv);
    if (!reply) {
        throw RedisUnavailable(std::string(what) + " on " + endpoint.display() + ": " + redis_error_message(context));
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        throw RedisUnavailable(std::string(what) + " on " + endpoint.display() +
                               " refused: " + std::string(reply->str, reply->len));
    }
}

}  // namespace

void RedisContextDeleter::operator()(redisContext* context) const noexcept { redisFree(context); }

void RedisReplyDeleter::operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }

RedisContextPtr connect_redis(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout) {
    auto limit = to_timeval(timeout);
    RedisContextPtr context(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, limit));
    if (!context) throw RedisUnavailable("cannot allocate a redis context");
    if (context->err != 0) {
        throw RedisUnavailable("connect to " + endpoint.display() + ": " + std::string(context->errstr));
    }
    // The connect timeout does not cover commands: without this a hung Redis would block a thread forever.
    if (redisSetTimeout(context.get(), limit) != REDIS_OK) {
        throw RedisUnavailable("set timeout on " + endpoint.display() + ": " + std::string(context->errstr));
    }
    if (endpoint.password) {
        if (endpoint.username) {
            std::array<std::string_view, 3> auth{"AUTH", *endpoint.username, *endpoint.password};
            expect_ok(*context, auth, "AUTH", endpoint);
        } else {
            std::array<std::string_view, 2> auth{"AUTH", *endpoint.password};
            expect_ok(*context, auth, "AUTH", endpoint);
        }
    }
    if (endpoint.database) {
        auto database = std::to_string(*endpoint.database);
        std::array<std::string_view, 2> select{"SELECT", database};
        expect_ok(*context, select, "SELECT", endpoint);
    }
    return context;
}

// Any number of arguments: a processed webhook batch DELs two keys per touched conversation in one command.
RedisReplyPtr run_redis_command(redisContext& context, std::span<const std::string_view> argv) {
    if (argv.empty()) throw std::invalid_argument("redis command: no arguments");
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
    pointers.reserve(argv.size());
    lengths.reserve(argv.size());
    for (const auto& argument : argv) {
        pointers.push_back(argument.data());
        lengths.push_back(argument.size());
    }
    auto* reply = redisCommandArgv(&context, static_cast<int>(argv.size()), pointers.data(), lengths.data());
    return RedisReplyPtr(static_cast<redisReply*>(reply));
}

std::string redis_error_message(const redisContext& context) {
    if (context.err == 0) return "unknown error";
    // A read or write that hit the socket timeout reports EAGAIN, which reads badly in a log line.
    if (context.err == REDIS_ERR_IO && std::string_view(context.errstr) == std::strerror(EAGAIN)) {
        return "timed out";
    }
    return context.errstr;
}

}  // namespace inbox::cache
