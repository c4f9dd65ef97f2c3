#pragma once
// RAII handles and the two blocking operations on a hiredis sync context: connect (with AUTH and SELECT) and one
// command in argv form, which is binary-safe and never formats user data into a command string.
#include <chrono>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "inbox/cache/redis_endpoint.hpp"

struct redisContext;
struct redisReply;

namespace inbox::cache {

// Redis cannot be used right now (connect failed, backoff, pool exhausted). Callers answer it as a cache miss.
class RedisUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RedisContextDeleter {
    void operator()(redisContext* context) const noexcept;
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextDeleter>;

struct RedisReplyDeleter {
    void operator()(redisReply* reply) const noexcept;
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

// `timeout` bounds the connect and, afterwards, every read and write on the context. Throws RedisUnavailable.
RedisContextPtr connect_redis(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);

// nullptr when the context failed (I/O error, timeout, protocol error): it is then unusable and must be dropped;
// redis_error_message() says why. An error *reply* (e.g. WRONGTYPE) is returned as a reply.
RedisReplyPtr run_redis_command(redisContext& context, std::span<const std::string_view> argv);

std::string redis_error_message(const redisContext& context);

}  // namespace inbox::cache
