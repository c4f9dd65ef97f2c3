#pragma once
// The sends this process is working on: from the `pending` row until its outcome is recorded (however long
// recording takes while Postgres is away). A `pending` row claimed by this process but not in here was orphaned
// (e.g. its insert committed but the answer was lost with the connection): the pending-send sweeper resolves it,
// and a repeat under its Idempotency-Key sends it. Thread-safe.
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace inbox::services {

class InFlightSends {
public:
    void add(const std::string& message_id) {
        std::lock_guard lock(mutex_);
        ids_.insert(message_id);
    }
    void remove(const std::string& message_id) {
        std::lock_guard lock(mutex_);
        ids_.erase(message_id);
    }
    bool contains(const std::string& message_id) const {
        std::lock_guard lock(mutex_);
        return ids_.contains(message_id);
    }
    std::vector<std::string> snapshot() const {
        std::lock_guard lock(mutex_);
        return {ids_.begin(), ids_.end()};
    }

private:
    mutable std::mutex mutex_;
    std::set<std::string> ids_;
};

// Marks a message as being sent by this process for as long as the mark lives, or until handed on to whoever
// finishes the send (then that one removes it).
class InFlightMark {
public:
    InFlightMark(InFlightSends& in_flight, std::string message_id)
        : in_flight_(in_flight), message_id_(std::move(message_id)) {
        in_flight_.add(message_id_);
    }
    ~InFlightMark() {
        if (!handed_on_) in_flight_.remove(message_id_);
    }
    InFlightMark(const InFlightMark&) = delete;
    InFlightMark& operator=(const InFlightMark&) = delete;
    void hand_on() noexcept { handed_on_ = true; }

private:
    InFlightSends& in_flight_;
    std::string message_id_;
    bool handed_on_ = false;
};

}  // namespace inbox::services
