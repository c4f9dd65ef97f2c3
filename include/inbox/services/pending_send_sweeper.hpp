#pragma once
// Resolves sends the server lost track of: a row written `pending` whose process died before Meta answered (or
// before the answer was recorded). Whether Meta got it is unknown, so nothing is sent again by the server: after
// `older_than` the row becomes `failed` with the error "send interrupted", retryable when it has an
// Idempotency-Key — the caller then decides, and a repeat under its key sends that same row once more. A row
// without a key stays failed; the agent sees it and may write again. Runs at start and every `interval`, on every
// instance (the statement skips rows another instance is resolving).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

namespace inbox::storage {
class OutboundRepository;
}

namespace inbox::services {

struct PendingSendSweeperOptions {
    // Far beyond the Graph request timeout (10 s) and the sent-record retries (~1 min): a send in flight is never
    // taken for a lost one.
    std::chrono::seconds older_than{180};
    std::chrono::seconds interval{30};
};

// The error a resolved send carries (API.md's {code, title, details}).
inline constexpr const char* kSendInterruptedError =
    R"({"code":0,"title":"send interrupted","details":"the server stopped before the WhatsApp Graph API answered;)"
    R"( whether the message was delivered is unknown"})";

class PendingSendSweeper {
public:
    PendingSendSweeper(boost::asio::any_io_executor executor, storage::OutboundRepository& outbound,
                       PendingSendSweeperOptions options = {});
    ~PendingSendSweeper();

    void start();
    void stop();
    // One pass; answers how many sends it resolved (tests, and start-up).
    boost::asio::awaitable<std::size_t> sweep_once();

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace inbox::services
