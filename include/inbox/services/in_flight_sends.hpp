#pragma once
// The sends this process is working on: from the `pending` row until its outcome is recorded (however long
// recording takes while Postgres is away). A `pending` row claimed by this process but not in here was orphaned
// (e.g. its insert committed but the answer was lost with the connection): the pending-send sweeper resolves it,
// and a repeat under its Idempotency-Key sends it. Thread-safe.
// It also counts the requests of this process working under each Idempotency-Key (conversation + key): between a
// first request's insert and its row's mark, a concurrent repeat must not take the row for orphaned and send it
// again (SendTest.ConcurrentRequestsWithOneKeySendOneMessage caught that).
#include <cstddef>
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
    void add_key(const std::string& key) {
        std::lock_guard lock(mutex_);
        keys_.insert(key);
    }
    void remove_key(const std::string& key) {
        std::lock_guard lock(mutex_);
        if (auto found = keys_.find(key); found != keys_.end()) keys_.erase(found);
    }
    std::size_t key_holders(const std::string& key) const {
        std::lock_guard lock(mutex_);
        return keys_.count(key);
    }
    std::vector<std::string> snapshot() const {
        std::lock_guard lock(mutex_);
        return {ids_.begin(), ids_.end()};
    }

private:
    mutable std::mutex mutex_;
    std::set<std::string> ids_;
    std::multiset<std::string> keys_;
};

// Counts one request working under an Idempotency-Key for as long as it lives.
class InFlightKeyMark {
public:
    InFlightKeyMark(InFlightSends& in_flight, std::string key) : in_flight_(in_flight), key_(std::move(key)) {
        in_flight_.add_key(key_);
    }
    ~InFlightKeyMark() { in_flight_.remove_key(key_); }
    InFlightKeyMark(const InFlightKeyMark&) = delete;
    InFlightKeyMark& operator=(const InFlightKeyMark&) = delete;

private:
    InFlightSends& in_flight_;
    std::string key_;
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
