#pragma once
// A Server-Sent Events client over a POSIX socket: it sends the GET, then accumulates whatever arrives (chunk
// framing included; tests search for event lines in it). Optionally never reads, to play a stalled browser.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace inbox::testing {

class SseClient {
public:
    // Connects and sends `GET target`. `receive_buffer` > 0 shrinks the socket's receive buffer (stalled clients).
    SseClient(std::uint16_t port, const std::string& target, int receive_buffer = 0);
    ~SseClient();
    SseClient(const SseClient&) = delete;
    SseClient& operator=(const SseClient&) = delete;

    bool connected() const { return fd_ >= 0; }
    // Reads until `done(text so far)` holds, the peer closes, or the timeout passes; answers done's last value.
    bool read_until(const std::function<bool(const std::string&)>& done, std::chrono::milliseconds timeout);
    bool read_until_contains(const std::string& needle, std::chrono::milliseconds timeout);
    // Reads (and discards into text()) until the peer closes; true when it closed within the timeout.
    bool wait_closed(std::chrono::milliseconds timeout);
    const std::string& text() const { return text_; }
    bool closed() const { return closed_; }

private:
    int fd_ = -1;
    std::string text_;
    bool closed_ = false;
};

// How many times `needle` occurs in `text`.
std::size_t count_occurrences(const std::string& text, const std::string& needle);

}  // namespace inbox::testing
