#pragma once
// GET /accounts/{account_id}/events: Server-Sent Events of one account (message.created, message.updated,
// conversation.updated), fed by the event bus. The token may come as ?access_token= (EventSource cannot set
// headers). A `: ping` comment keeps idle streams alive; a client that falls too far behind is disconnected. A
// stream ends with `event: session.ended` when its token expires (after the leeway) or its user stops being a
// member of the account (heard from any instance through the live channel, checked in Postgres).
#include <chrono>
#include <cstddef>

namespace inbox::http {
class Router;
}
namespace inbox::observability {
class MetricsRegistry;
}
namespace inbox::services {
class EventBus;
}
namespace inbox::storage {
class AccountRepository;
}

namespace inbox::api {

struct EventStreamOptions {
    std::chrono::milliseconds ping_interval{15'000};
    std::size_t max_queued = 256;  // events a client may lag behind before it is dropped
};

void register_event_routes(http::Router& router, storage::AccountRepository& accounts, services::EventBus& bus,
                           observability::MetricsRegistry& metrics, EventStreamOptions options = {});

}  // namespace inbox::api
