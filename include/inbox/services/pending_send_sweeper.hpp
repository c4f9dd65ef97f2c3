#pragma once
// Resolves sends the server lost track of: a row written `pending` whose sender died before Meta answered (or
// before the answer was recorded), or whose insert committed while its answer was lost. A pending row is claimed
// by its sender's liveness key (migration 0009), so it is taken for lost only when that instance is gone, or it is
// this instance's and not in flight here (InFlightSends), or — whoever claims it — after a long backstop. Whether
// Meta got it is unknown, so nothing is sent again by the server: the row becomes `failed` with the error "send
// interrupted", retryable when it has an Idempotency-Key — the caller then decides, and a repeat under its key
// sends that same row once more (a status webhook naming it by its callback data still records it as sent). A row
// without a key stays failed; the agent sees it and may write again. Runs at start and every `interval`, on every
// instance (the statement skips rows another instance is resolving), in its own database lane.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>

namespace inbox::storage {
class ClaimerLiveness;
class OutboundRepository;
}

namespace inbox::services {

class InFlightSends;

struct PendingSendSweeperOptions {
    // Beyond the Graph request timeout (10 s): a row of a live instance is never taken while it is in flight there,
    // this only spares the statement rows that just started.
    std::chrono::seconds older_than{30};
    // A live claimer that has not recorded its row in this long is taken to hang.
    std::chrono::seconds whoever_claims_after{600};
    std::chrono::seconds interval{10};
};

// The error a resolved send carries (API.md's {code, title, details}).
inline constexpr const char* kSendInterruptedError =
    R"({"code":0,"title":"send interrupted","details":"the server stopped before the WhatsApp Graph API answered;)"
    R"( whether the message was delivered is unknown"})";

class PendingSendSweeper {
public:
    PendingSendSweeper(boost::asio::any_io_executor executor, storage::OutboundRepository& outbound,
                       const InFlightSends& in_flight, const storage::ClaimerLiveness& claimer,
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
