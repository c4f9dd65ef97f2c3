#pragma once
// Runs blocking work (libpqxx, hiredis) on a dedicated pool and resumes the awaiting coroutine on its own
// executor. `co_await asio::post(pool, use_awaitable)` would NOT move the coroutine (see PITFALLS.md), so the work
// is posted explicitly and the completion is dispatched back through the handler's associated executor.
//
// Deliberately not a coroutine itself: GCC 12 can destroy by-value lambda parameters of coroutines twice, so the
// work travels inside the initiation object instead.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace inbox {

namespace detail {

// void results travel as this empty value so one completion signature serves both cases.
struct Nothing {};

template <typename Fn>
using BlockingResult = std::conditional_t<std::is_void_v<std::invoke_result_t<Fn&>>, Nothing, std::invoke_result_t<Fn&>>;

template <typename Fn>
BlockingResult<Fn> invoke_for_result(Fn& fn) {
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&>>) {
        fn();
        return {};
    } else {
        return fn();
    }
}

}  // namespace detail

template <typename Fn>
auto run_blocking(boost::asio::thread_pool& pool, Fn fn) {
    namespace asio = boost::asio;
    using Result = detail::BlockingResult<Fn>;
    static_assert(std::is_default_constructible_v<Result>, "the failure path completes with a default value");
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, Result)>(
        [&pool](auto handler, Fn work) {
            asio::post(pool, [work = std::move(work), handler = std::move(handler)]() mutable {
                std::exception_ptr error;
                Result result{};
                try {
                    result = detail::invoke_for_result(work);
                } catch (...) {
                    error = std::current_exception();
                }
                auto executor = asio::get_associated_executor(handler);
                asio::dispatch(executor, [handler = std::move(handler), error, result = std::move(result)]() mutable {
                    std::move(handler)(error, std::move(result));
                });
            });
        },
        asio::use_awaitable, std::move(fn));
}

}  // namespace inbox
