#include "inbox/services/conversation_touches.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "inbox/observability/metrics.hpp"
#include "inbox/storage/outbound_repository.hpp"

namespace inbox::services {
namespace asio = boost::asio;

namespace {

struct Touch {
    std::string account_id;
    std::string message_id;
    domain::TimePoint at;
    std::string preview;
};

constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::seconds(5);

}  // namespace

struct ConversationTouches::State : std::enable_shared_from_this<State> {
    State(asio::any_io_executor io, storage::OutboundRepository& outbound_ref, observability::MetricsRegistry& metrics)
        : executor(asio::make_strand(io)),
          outbound(outbound_ref),
          timer(executor),
          applied(metrics.counter("inbox_conversation_touches_total",
                                  "Conversations whose last message was moved after a send found them locked")) {}

    // Keeps the newest message per conversation; starts the drain unless it runs.
    void add(std::string conversation_id, Touch touch) {
        bool start = false;
        {
            std::lock_guard lock(mutex);
            auto [entry, inserted] = waiting.try_emplace(std::move(conversation_id), touch);
            if (!inserted && touch.at >= entry->second.at) entry->second = std::move(touch);
            start = !draining && !stopped;
            draining = draining || start;
        }
        if (start) asio::co_spawn(executor, drain(shared_from_this()), asio::detached);
    }

    static asio::awaitable<void> drain(std::shared_ptr<State> self) {
        auto backoff = kFirstBackoff;
        for (;;) {
            std::map<std::string, Touch> batch;
            {
                std::lock_guard lock(self->mutex);
                if (self->waiting.empty() || self->stopped) {
                    self->draining = false;
                    co_return;
                }
                batch.swap(self->waiting);
            }
            bool failed = false;
            for (auto& [conversation_id, touch] : batch) {
                if (failed) {
                    self->add(conversation_id, touch);  // kept for the next round
                    continue;
                }
                try {
                    co_await self->outbound.touch_conversation(touch.account_id, touch.message_id, touch.preview);
                    self->applied.inc();
                } catch (const std::exception& error) {
                    spdlog::warn("conversation {}: moving its last message failed, retrying: {}", conversation_id,
                                 error.what());
                    failed = true;
                    self->add(conversation_id, touch);
                }
            }
            if (!failed) {
                backoff = kFirstBackoff;
                continue;
            }
            self->timer.expires_after(backoff);
            boost::system::error_code ignored;
            co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
            backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
        }
    }

    asio::any_io_executor executor;
    storage::OutboundRepository& outbound;
    asio::steady_timer timer;  // only on `executor`
    observability::Counter& applied;
    mutable std::mutex mutex;
    std::map<std::string, Touch> waiting;  // by conversation
    bool draining = false;
    bool stopped = false;
};

ConversationTouches::ConversationTouches(asio::any_io_executor executor, storage::OutboundRepository& outbound,
                                         observability::MetricsRegistry& metrics)
    : state_(std::make_shared<State>(std::move(executor), outbound, metrics)) {
    metrics.gauge_callback("inbox_conversation_touches_pending",
                           "Conversations whose last message waits to be moved (their row was locked)", {},
                           // Weak: the registry outlives the I/O loop this state's timer belongs to.
                           [weak = std::weak_ptr<State>(state_)] {
                               auto state = weak.lock();
                               if (!state) return 0.0;
                               std::lock_guard lock(state->mutex);
                               return static_cast<double>(state->waiting.size());
                           });
}

ConversationTouches::~ConversationTouches() { stop(); }

void ConversationTouches::touch(std::string account_id, std::string conversation_id, std::string message_id,
                                domain::TimePoint at, std::string preview) {
    state_->add(std::move(conversation_id), Touch{std::move(account_id), std::move(message_id), at, std::move(preview)});
}

std::size_t ConversationTouches::pending() const {
    std::lock_guard lock(state_->mutex);
    return state_->waiting.size();
}

void ConversationTouches::stop() {
    {
        std::lock_guard lock(state_->mutex);
        state_->stopped = true;
    }
    asio::post(state_->executor, [state = state_] { state->timer.cancel(); });
}

}  // namespace inbox::services
