#pragma once
// A response body produced over time (Server-Sent Events). The server sends the response header with
// `Transfer-Encoding: chunked`, then runs the route's producer with a StreamWriter; when the producer returns, the
// server ends the body and closes the connection.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace inbox::http {

class StreamWriter {
public:
    virtual ~StreamWriter() = default;

    // Sends one chunk. False when the client is gone or did not take the bytes within the write timeout: the
    // producer must stop then.
    virtual boost::asio::awaitable<bool> write(std::string data) = 0;

    // Suspends until wake() is called or `timeout` passes, whichever comes first.
    virtual boost::asio::awaitable<void> wait(std::chrono::milliseconds timeout) = 0;

    // Ends a wait() early. Thread-safe: publishers on other threads call it.
    virtual void wake() = 0;

    // Closes the connection at once, interrupting a write in progress: for a client too slow to keep up.
    // Thread-safe. The producer's next write answers false.
    virtual void abort() = 0;

    // True once the server drains: the producer should finish promptly.
    virtual bool closing() const = 0;
};

using StreamProducer = std::function<boost::asio::awaitable<void>(std::shared_ptr<StreamWriter>)>;

}  // namespace inbox::http
