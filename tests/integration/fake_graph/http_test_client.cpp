#include "http_test_client.hpp"

#include <openssl/evp.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <limits>
#include <stdexcept>
#include <vector>

namespace fake_graph::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kUse = asio::use_awaitable;

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

http::request<http::string_body> make_request(const std::string& method, const std::string& target,
                                              const std::string& host, const std::string& body,
                                              const std::string& bearer) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(true);
    return req;
}

struct Sha256 {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    Sha256() { EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr); }
    void update(const char* data, std::size_t n) { EVP_DigestUpdate(ctx.get(), data, n); }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(ctx.get(), digest, &length);
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string out;
        for (unsigned i = 0; i < length; ++i) {
            out.push_back(kDigits[digest[i] >> 4]);
            out.push_back(kDigits[digest[i] & 0xF]);
        }
        return out;
    }
};

}  // namespace

struct HttpTestClient::Impl {
    std::string host;
    std::uint16_t port;
    std::optional<ClientTls> tls;
    asio::io_context ioc;
    std::optional<ssl::context> ssl_ctx;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    std::uint64_t connections = 0;

    std::string authority() const { return host + ":" + std::to_string(port); }

    void drop() {
        plain.reset();
        secure.reset();
        buffer.clear();
    }

    // Runs one coroutine to completion on this thread; its exception, if any, is rethrown here.
    template <class T>
    T run(asio::awaitable<T> op) {
        auto result = asio::co_spawn(ioc, std::move(op), asio::use_future);
        ioc.restart();
        ioc.run();
        return result.get();
    }

    asio::awaitable<void> connect(Clock::time_point deadline) {
        tcp::resolver resolver(ioc);
        const auto endpoints = co_await resolver.async_resolve(host, std::to_string(port), kUse);
        beast::tcp_stream stream(ioc);
        stream.expires_at(deadline);
        co_await stream.async_connect(endpoints, kUse);
        stream.socket().set_option(tcp::no_delay(true));
        ++connections;
        if (!tls) {
            plain.emplace(std::move(stream));
            co_return;
        }
        secure.emplace(std::move(stream), *ssl_ctx);
        // Chain *and* name: verify_peer alone would accept any certificate the CA signed.
        if (!SSL_set_tlsext_host_name(secure->native_handle(), tls->server_name.c_str())) {
            throw std::runtime_error("SNI failed");
        }
        secure->set_verify_callback(ssl::host_name_verification(tls->server_name));
        beast::get_lowest_layer(*secure).expires_at(deadline);
        co_await secure->async_handshake(ssl::stream_base::client, kUse);
    }

    template <class Stream>
    asio::awaitable<void> exchange(Stream& stream, http::request<http::string_body>& req, HttpResult& out,
                                   Clock::time_point deadline) {
        beast::get_lowest_layer(stream).expires_at(deadline);
        co_await http::async_write(stream, req, kUse);
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        beast::get_lowest_layer(stream).expires_at(deadline);
        co_await http::async_read(stream, buffer, parser, kUse);
        const auto& res = parser.get();
        out.status = static_cast<int>(res.result_int());
        out.body = res.body();
        for (const auto& field : res.base()) out.headers[lower(std::string(field.name_string()))] = field.value();
        if (!res.keep_alive()) drop();
    }

    template <class Stream>
    asio::awaitable<void> download(Stream& stream, http::request<http::string_body>& req, DownloadResult& out,
                                   Clock::time_point deadline) {
        beast::get_lowest_layer(stream).expires_at(deadline);
        co_await http::async_write(stream, req, kUse);
        http::response_parser<http::buffer_body> parser;
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        beast::get_lowest_layer(stream).expires_at(deadline);
        co_await http::async_read_header(stream, buffer, parser, kUse);
        out.status = static_cast<int>(parser.get().result_int());
        out.content_type = parser.get()[http::field::content_type];
        Sha256 sha;
        std::vector<char> chunk(64 * 1024);
        while (!parser.is_done()) {
            parser.get().body().data = chunk.data();
            parser.get().body().size = chunk.size();
            beast::get_lowest_layer(stream).expires_at(deadline);
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(kUse));
            if (ec == http::error::need_buffer) ec = {};
            if (ec) throw boost::system::system_error(ec);
            const auto got = chunk.size() - parser.get().body().size;
            sha.update(chunk.data(), got);
            out.size += got;
            if (out.status != 200) out.body.append(chunk.data(), got);
        }
        out.sha256_hex = sha.hex();
        if (!parser.get().keep_alive()) drop();
    }

    // Runs `fn(stream)` on the open connection, connecting first when there is none.
    template <class Fn>
    asio::awaitable<void> on_connection(Clock::time_point deadline, Fn fn) {
        if (!plain && !secure) co_await connect(deadline);
        if (secure) co_await fn(*secure);
        else co_await fn(*plain);
    }
};

HttpTestClient::HttpTestClient(std::string host, std::uint16_t port, std::optional<ClientTls> tls)
    : impl_(std::make_unique<Impl>()) {
    impl_->host = std::move(host);
    impl_->port = port;
    impl_->tls = std::move(tls);
    if (impl_->tls) {
        impl_->ssl_ctx.emplace(ssl::context::tls_client);
        impl_->ssl_ctx->load_verify_file(impl_->tls->ca_file);
        impl_->ssl_ctx->set_verify_mode(ssl::verify_peer);
    }
}

HttpTestClient::~HttpTestClient() = default;

HttpResult HttpTestClient::request(const std::string& method, const std::string& target, const std::string& body,
                                   const std::string& bearer, std::chrono::milliseconds timeout) {
    HttpResult out;
    const auto start = Clock::now();
    auto req = make_request(method, target, impl_->authority(), body, bearer);
    try {
        impl_->run(impl_->on_connection(start + timeout, [&](auto& stream) {
            return impl_->exchange(stream, req, out, start + timeout);
        }));
    } catch (const boost::system::system_error& e) {
        out.error = e.code().message();
        out.timed_out = e.code() == beast::error::timeout;
        impl_->drop();
    }
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return out;
}

DownloadResult HttpTestClient::download(const std::string& target, const std::string& bearer,
                                        std::chrono::milliseconds timeout) {
    DownloadResult out;
    const auto deadline = Clock::now() + timeout;
    auto req = make_request("GET", target, impl_->authority(), "", bearer);
    try {
        impl_->run(impl_->on_connection(deadline, [&](auto& stream) {
            return impl_->download(stream, req, out, deadline);
        }));
    } catch (const boost::system::system_error& e) {
        out.error = e.code().message();
        impl_->drop();
    }
    return out;
}

std::uint64_t HttpTestClient::connections_opened() const { return impl_->connections; }

void HttpTestClient::disconnect() { impl_->drop(); }

std::string target_of(const std::string& url, const std::string& expected_authority) {
    const auto parsed = boost::urls::parse_uri(url);
    if (!parsed) throw std::invalid_argument("not a URL: " + url);
    if (parsed->encoded_authority() != expected_authority) {
        throw std::invalid_argument("URL " + url + " does not point at " + expected_authority);
    }
    std::string target(parsed->encoded_path());
    if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());
    return target;
}

}  // namespace fake_graph::testing
