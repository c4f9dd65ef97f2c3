#pragma once
// Meta's throughput limits, applied before Meta has to refuse: a token bucket per business phone number (80
// messages/s by default, Meta's standard throughput), and back-off pauses after Meta's own throttling answers
// (130429 / 80007 hold the number back, 131056 only the number/customer pair). Thread-safe; time is injected.
//
// A refused admission says how long to wait; the send route turns that into its Retry-After, so the figure comes
// from the bucket's state, not from a guess.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace inbox::services {

struct OutboundThrottleOptions {
    double messages_per_second = 80;                  // per phone number; also the bucket's burst
    std::chrono::milliseconds first_pause{1'000};     // after Meta's first throttling answer
    std::chrono::milliseconds longest_pause{60'000};  // pauses double up to this while Meta keeps refusing
};

class OutboundThrottle {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    explicit OutboundThrottle(OutboundThrottleOptions options = {}, Clock clock = {});

    // Zero: a send from `phone_number_id` to `recipient` may go now (it took a token). Otherwise how long until it
    // could (nothing is taken).
    std::chrono::milliseconds admit(const std::string& phone_number_id, const std::string& recipient);
    // Meta answered `graph_code` (a throttling code): pauses the number, or for 131056 the pair, and answers how
    // long until a send could go again.
    std::chrono::milliseconds throttled(const std::string& phone_number_id, const std::string& recipient,
                                        int graph_code);
    // Meta accepted a send: the number's (and the pair's) next pause starts from first_pause again.
    void accepted(const std::string& phone_number_id, const std::string& recipient);

private:
    using TimePoint = std::chrono::steady_clock::time_point;
    struct Number {
        double tokens = 0;
        TimePoint refilled{};
        TimePoint paused_until{};
        std::chrono::milliseconds next_pause{0};
    };
    struct Pair {
        TimePoint paused_until{};
        std::chrono::milliseconds next_pause{0};
    };

    Number& number(const std::string& phone_number_id, TimePoint now);  // mutex held; refilled to `now`
    std::chrono::milliseconds pause(TimePoint& paused_until, std::chrono::milliseconds& next_pause, TimePoint now);
    void forget_expired_pairs(TimePoint now);  // mutex held

    const OutboundThrottleOptions options_;
    const Clock clock_;
    std::mutex mutex_;
    std::unordered_map<std::string, Number> numbers_;
    std::unordered_map<std::string, Pair> pairs_;  // "<phone_number_id>/<recipient>", only while paused
};

// Whole seconds for a Retry-After header: rounded up, at least 1.
int retry_after_seconds(std::chrono::milliseconds wait) noexcept;

}  // namespace inbox::services
