#pragma once
// Sends the webhook deliveries of knobs.webhooks to the server under test, signed with its app secret, and keeps
// retrying one that was not acknowledged, as Meta does (for up to 7 days there; for `kGiveUpAfter` here).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

namespace fake_graph {

class State;

// One attempt to the knobs' URL; true when the server answered 2xx.
boost::asio::awaitable<bool> post_webhook_once(State& state, const std::string& body);

// Posts after `delay`, then again with back-off until acknowledged or given up; never blocks the caller.
void post_webhook_in_background(boost::asio::any_io_executor executor, State& state, std::string body,
                                std::chrono::milliseconds delay);

}  // namespace fake_graph
