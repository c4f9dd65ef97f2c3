#pragma once
// The durable webhook inbox: raw deliveries are committed here before Meta gets its 200.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace inbox::storage {

class DbPool;

class WebhookEventRepository {
public:
    explicit WebhookEventRepository(DbPool& pool) : pool_(pool) {}

    // One multi-row INSERT and one commit for the whole batch (group commit). Answers the new ids in batch order.
    boost::asio::awaitable<std::vector<std::int64_t>> insert_batch(std::vector<std::string> bodies);

private:
    DbPool& pool_;
};

}  // namespace inbox::storage
