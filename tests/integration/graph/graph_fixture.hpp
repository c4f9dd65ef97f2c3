#pragma once
// Shared set-up of the Graph client tests: an io_context on two threads, a fake-graph child process, a control
// client for its /_control API, and the HttpClient + GraphClient under test (fresh per test: empty pool, closed
// breakers, injected breaker clock).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fake_graph_process.hpp"
#include "inbox/graph/graph_client.hpp"
#include "inbox/graph/http_client.hpp"
#include "inbox/observability/metrics.hpp"

namespace inbox::graph::testing {

inline constexpr const char* kToken = "secret-access-token-Zq9";
inline constexpr const char* kPhoneNumberId = "106540352242922";
inline constexpr const char* kVersion = "v21.0";
inline const std::string kTlsDir = GRAPH_TEST_TLS_DIR;

class IoThreads {
public:
    explicit IoThreads(int threads = 2);
    ~IoThreads();
    boost::asio::io_context& io() { return io_; }

    // Runs `awaitable` on the io_context and waits for its result (or rethrows its exception).
    template <typename T>
    T run(boost::asio::awaitable<T> awaitable) {
        return boost::asio::co_spawn(io_, std::move(awaitable), boost::asio::use_future).get();
    }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::vector<std::thread> threads_;
};

// The fake's /_control API, through a client of its own (so its connection does not count against ours).
class FakeControl {
public:
    FakeControl(IoThreads& io, std::string base_url, const HttpClientOptions& options);
    nlohmann::json get(const std::string& path);
    nlohmann::json post(const std::string& path, const nlohmann::json& body);

    void reset() { post("reset", nlohmann::json::object()); }
    void knobs(const nlohmann::json& patch) { post("knobs", patch); }
    void fail(const std::string& family, const nlohmann::json& failure);
    std::uint64_t connections_accepted();
    std::uint64_t requests(const std::string& family);
    nlohmann::json recorded(const std::string& family);  // the `requests` array

private:
    IoThreads& io_;
    std::string base_url_;
    observability::MetricsRegistry metrics_;
    HttpClient http_;
};

class GraphTest : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    void SetUp() override;
    void TearDown() override;

    // Replaces the clients under test (and their pool and breakers) with ones built from these options.
    void make_clients(HttpClientOptions http_options, GraphClientOptions graph_options);
    virtual HttpClientOptions default_http_options() const;
    virtual GraphClientOptions default_graph_options() const;

    GraphClient& graph() { return *graph_; }
    HttpClient& http() { return *http_; }
    FakeControl& control() { return *control_; }
    const FakeGraphProcess& fake() const { return *fake_; }

    template <typename T>
    T run(boost::asio::awaitable<T> awaitable) {
        return io_->run(std::move(awaitable));
    }
    GraphResult<SentMessage> send_text(const std::string& to = "16505551234", const std::string& text = "hello");
    void advance_breaker_clock(std::chrono::steady_clock::duration by) {
        clock_offset_.store(clock_offset_.load() + by);
    }
    std::uint64_t metric(const std::string& name, const observability::Labels& labels) {
        return metrics_->counter(name, "", labels).value();
    }

    static inline FakeGraphProcess* fake_ = nullptr;
    std::unique_ptr<IoThreads> io_;
    std::unique_ptr<observability::MetricsRegistry> metrics_;
    std::unique_ptr<FakeControl> control_;
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<GraphClient> graph_;
    std::atomic<std::chrono::steady_clock::duration> clock_offset_{};
};

// A temporary file path, removed when destroyed.
class TempPath {
public:
    TempPath();
    ~TempPath();
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::uint64_t file_size_of(const std::string& path);

}  // namespace inbox::graph::testing
