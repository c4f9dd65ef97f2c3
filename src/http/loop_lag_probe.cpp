#include "inbox/http/loop_lag_probe.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "inbox/http/load_shedder.hpp"

namespace inbox::http {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> probe(asio::io_context& io, LoadShedder& shedder, std::chrono::milliseconds interval) {
    asio::steady_timer timer(io);
    for (;;) {
        const auto due = std::chrono::steady_clock::now() + interval;
        timer.expires_at(due);
        co_await timer.async_wait(asio::use_awaitable);
        shedder.observe_loop_lag(
            std::max(std::chrono::steady_clock::duration::zero(), std::chrono::steady_clock::now() - due));
    }
}

}  // namespace

void start_loop_lag_probe(asio::io_context& io, LoadShedder& shedder, std::chrono::milliseconds interval) {
    asio::co_spawn(io, probe(io, shedder, interval), asio::detached);
}

}  // namespace inbox::http
