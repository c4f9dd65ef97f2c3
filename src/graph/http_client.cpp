#include "inbox/graph/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "connection.hpp"
#include "connection_pool.hpp"
#include "exchange.hpp"
#include "inbox/observability/metrics.hpp"

namespace inbox::graph {

namespace asio = boost::asio;

struct HttpClient::Impl {
    Impl(asio::any_io_executor io, HttpClientOptions client_options, observability::MetricsRegistry& metrics)
        : executor(std::move(io)),
          options(std::move(client_options)),
          tls(make_tls_context(options.use_system_roots, options.ca_file)),
          pool(options.max_idle_per_origin, options.max_idle_age),
          connections_opened(
              metrics.counter("inbox_graph_connections_opened_total",
                              "Connections opened by the Graph HTTP client (TCP, plus TLS when https)")) {}

    asio::any_io_executor executor;
    HttpClientOptions options;
    std::shared_ptr<asio::ssl::context> tls;
    ConnectionPool pool;
    observability::Counter& connections_opened;
};

namespace {

using Impl = HttpClient::Impl;

struct Lease {
    ConnectionPtr connection;
    bool reused = false;
};

// A pooled connection when one is alive, else a new one opened within the deadline.
asio::awaitable<Lease> lease_connection(Impl& impl, const Origin& origin, Deadline deadline) {
    Lease lease;
    lease.connection = impl.pool.acquire(origin.key());
    lease.reused = true;
    if (lease.connection) co_return lease;
    lease.reused = false;
    lease.connection = make_connection(impl.executor, origin, impl.tls);
    co_await asio::co_spawn(connection_executor(*lease.connection),
                            open(*lease.connection, deadline, impl.options.connect_timeout), asio::use_awaitable);
    impl.connections_opened.inc();
    co_return lease;
}

asio::awaitable<HttpResponse> perform_request(std::shared_ptr<Impl> impl, HttpRequest request) {
    const auto url = parse_http_url(request.url);
    // A server that closed a kept-alive connection may still have acted on a request it never answered: only a
    // request that is safe to repeat is sent again (a POST to /messages would be a second message to the customer).
    const bool repeatable = request.method != "POST" && request.method != "PATCH";
    const auto spec = make_request_spec(std::move(request.method), url, std::move(request.headers),
                                        std::move(request.body), std::move(request.file_body));
    const auto deadline = std::chrono::steady_clock::now() + request.timeout.value_or(impl->options.request_timeout);
    for (int attempt = 1;; ++attempt) {
        auto lease = co_await lease_connection(*impl, url.origin, deadline);
        try {
            auto outcome = co_await asio::co_spawn(
                connection_executor(*lease.connection),
                exchange(*lease.connection, spec, deadline, impl->options.max_response_bytes), asio::use_awaitable);
            if (outcome.reusable) impl->pool.release(url.origin.key(), std::move(lease.connection));
            co_return std::move(outcome.response);
        } catch (const StaleConnectionError&) {
            if (!lease.reused || attempt > 1 || !repeatable) throw;
        }
    }
}

asio::awaitable<DownloadResult> perform_download(std::shared_ptr<Impl> impl, std::string url_text,
                                                 std::vector<HttpHeader> headers, std::string path,
                                                 std::uint64_t max_bytes) {
    const auto url = parse_http_url(url_text);
    const auto spec = make_request_spec("GET", url, std::move(headers), std::string());
    const auto deadline = std::chrono::steady_clock::now() + impl->options.download_timeout;
    for (int attempt = 1;; ++attempt) {
        auto lease = co_await lease_connection(*impl, url.origin, deadline);
        try {
            auto outcome = co_await asio::co_spawn(connection_executor(*lease.connection),
                                                   download(*lease.connection, spec, deadline, path, max_bytes,
                                                            impl->options.file_threads),
                                                   asio::use_awaitable);
            if (outcome.reusable) impl->pool.release(url.origin.key(), std::move(lease.connection));
            co_return std::move(outcome.result);
        } catch (const StaleConnectionError&) {
            if (!lease.reused || attempt > 1) throw;
        }
    }
}

}  // namespace

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options,
                       observability::MetricsRegistry& metrics)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), metrics)) {}

HttpClient::~HttpClient() = default;

asio::awaitable<HttpResponse> HttpClient::request(HttpRequest request) {
    return perform_request(impl_, std::move(request));
}

asio::awaitable<DownloadResult> HttpClient::download_to_file(std::string url, std::vector<HttpHeader> headers,
                                                             std::string path, std::uint64_t max_bytes) {
    return perform_download(impl_, std::move(url), std::move(headers), std::move(path), max_bytes);
}

std::size_t HttpClient::idle_connections() const { return impl_->pool.idle_count(); }

}  // namespace inbox::graph
