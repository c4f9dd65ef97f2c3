#pragma once
// A small synchronous HTTP/1.1 client (plain or verified TLS) that keeps one keep-alive connection, for
// talking to fake-graph in tests. Beast stays in http_test_client.cpp.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace fake_graph::testing {

struct ClientTls {
    std::string ca_file;      // the only trusted root
    std::string server_name;  // SNI and the name the certificate must match
};

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string error;        // empty when a response arrived
    bool timed_out = false;
    std::chrono::milliseconds elapsed{0};
    nlohmann::json json() const { return nlohmann::json::parse(body); }
};

struct DownloadResult {
    int status = 0;
    std::uint64_t size = 0;
    std::string sha256_hex;  // of the body, computed while streaming
    std::string content_type;
    std::string body;  // only kept for non-200 answers
    std::string error;
};

class HttpTestClient {
public:
    HttpTestClient(std::string host, std::uint16_t port, std::optional<ClientTls> tls = std::nullopt);
    ~HttpTestClient();

    HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::string& bearer = "",
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
    HttpResult get(const std::string& target, const std::string& bearer = "") { return request("GET", target, "", bearer); }
    HttpResult post(const std::string& target, const nlohmann::json& body, const std::string& bearer = "") {
        return request("POST", target, body.dump(), bearer);
    }

    // Streams the body through SHA-256 in 64 KiB pieces; never holds it whole.
    DownloadResult download(const std::string& target, const std::string& bearer,
                            std::chrono::milliseconds timeout = std::chrono::seconds(60));

    std::uint64_t connections_opened() const;
    void disconnect();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "/path?query" of an absolute URL, after checking it points at host:port.
std::string target_of(const std::string& url, const std::string& expected_authority);

}  // namespace fake_graph::testing
