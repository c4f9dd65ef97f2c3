#pragma once
// Drives one awaitable to completion on `io` and returns its result (or rethrows its exception).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

namespace inbox::testing {

template <typename T>
T run_awaitable(boost::asio::io_context& io, boost::asio::awaitable<T> awaitable) {
    auto result = boost::asio::co_spawn(io, std::move(awaitable), boost::asio::use_future);
    io.restart();
    io.run();
    return result.get();
}

}  // namespace inbox::testing
