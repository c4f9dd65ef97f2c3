#pragma once
// Maps one HTTP request to what the session must do: answer, stream media, hang or reset. Knows no sockets,
// so every endpoint and knob is testable without a server.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace fake_graph {

class State;

struct Request {
    std::string method;
    std::string target;  // origin form: /v21.0/123/messages?x=y
    std::string host;    // Host header: media URLs point back through it
    std::string authorization;
    std::string body;
    std::string content_type;
};

struct Reply {
    enum class Kind { respond, stream_media, hang, reset };
    Kind kind = Kind::respond;
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::string media_id;  // stream_media: the bytes of this id...
    std::uint64_t media_size = 0;  // ...this many of them
    std::chrono::milliseconds delay{0};  // to wait before acting
    // Signed webhook deliveries to post (knobs.webhooks): these before answering, waiting for each one's 200...
    std::vector<std::string> webhooks_before;
    // ...and these after the answer, in the background, retried like Meta retries.
    std::vector<std::string> webhooks_after;
};

class Router {
public:
    Router(State& state, std::string scheme, std::string default_host);
    Reply handle(const Request& request) const;

private:
    State& state_;
    std::string scheme_;        // "http" | "https"
    std::string default_host_;  // used when a request has no Host header
};

}  // namespace fake_graph
