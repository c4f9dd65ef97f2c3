#pragma once
// The real GraphApi: WhatsApp Cloud API calls over the pooled HttpClient, each through its family's circuit
// breaker (messages, media, templates, contacts). An open breaker answers unavailable at once, without a call.
// Metrics: inbox_graph_requests_total{endpoint,outcome} (outcome: success, refused, unavailable, rejected) and
// inbox_graph_request_duration_seconds{endpoint}.
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "inbox/graph/circuit_breaker.hpp"
#include "inbox/graph/graph_api.hpp"
#include "inbox/graph/http_client.hpp"

namespace inbox::graph {

struct GraphEndpointMetrics;  // counters and histogram of one endpoint (graph_client.cpp)

struct GraphClientOptions {
    std::string api_base = "https://graph.facebook.com";  // GRAPH_API_BASE
    std::string api_version = "v21.0";                    // GRAPH_API_VERSION
    std::vector<std::string> media_hosts;                 // GRAPH_MEDIA_HOSTS: hosts download_media may fetch from
    std::chrono::milliseconds request_timeout{10'000};
    std::chrono::milliseconds contact_lookup_timeout{2'000};
    std::chrono::milliseconds upload_timeout{120'000};  // a media upload (up to 100 MiB)
    std::size_t template_page_size = 100;
    std::size_t max_template_pages = 100;  // a guard against a paging loop
    CircuitBreakerOptions breaker;
};

enum class GraphFamily { messages, media, templates, contacts };
inline constexpr std::size_t kGraphFamilies = 4;
const char* to_string(GraphFamily family) noexcept;

class GraphClient final : public GraphApi {
public:
    // `http` and `metrics` must outlive the client. `clock` drives the breakers (tests inject one).
    GraphClient(HttpClient& http, GraphClientOptions options, observability::MetricsRegistry& metrics,
                CircuitBreaker::Clock clock = {});
    ~GraphClient() override;

    boost::asio::awaitable<GraphResult<SentMessage>> send_text(std::string phone_number_id, std::string access_token,
                                                               MessageEnvelope envelope, std::string text) override;
    boost::asio::awaitable<GraphResult<SentMessage>> send_template(std::string phone_number_id,
                                                                   std::string access_token, MessageEnvelope envelope,
                                                                   OutboundTemplate outbound) override;
    boost::asio::awaitable<GraphResult<SentMessage>> send_reaction(std::string phone_number_id, std::string access_token,
                                                                   MessageEnvelope envelope, std::string target_wamid,
                                                                   std::string emoji) override;
    boost::asio::awaitable<GraphResult<ReadMarked>> mark_read(std::string phone_number_id, std::string access_token,
                                                              std::string wa_message_id, bool typing) override;
    boost::asio::awaitable<GraphResult<SentMessage>> send_media(std::string phone_number_id, std::string access_token,
                                                                MessageEnvelope envelope,
                                                                OutboundMedia media) override;
    boost::asio::awaitable<GraphResult<UploadedMedia>> upload_media(std::string phone_number_id,
                                                                    std::string access_token, MediaFile file) override;
    boost::asio::awaitable<GraphResult<MediaMeta>> get_media_meta(std::string media_id,
                                                                  std::string access_token) override;
    boost::asio::awaitable<GraphResult<MediaDownload>> download_media(std::string url, std::string access_token,
                                                                      std::string path,
                                                                      std::uint64_t max_bytes) override;
    boost::asio::awaitable<GraphResult<std::vector<MessageTemplate>>> list_templates(std::string waba_id,
                                                                                     std::string access_token) override;
    boost::asio::awaitable<GraphResult<CreatedTemplate>> create_template(std::string waba_id, std::string access_token,
                                                                         std::string name, std::string language,
                                                                         std::string category,
                                                                         std::string body_text) override;
    boost::asio::awaitable<GraphResult<ContactProfile>> lookup_contact(std::string url_template, std::string wa_id,
                                                                       std::string access_token) override;

    CircuitBreaker& breaker(GraphFamily family) noexcept { return *breakers_[static_cast<std::size_t>(family)]; }

    enum class Endpoint {
        send_text,
        send_template,
        send_media,
        send_reaction,
        mark_read,
        media_upload,
        media_meta,
        media_download,
        list_templates,
        create_template,
        contact_lookup
    };
    static constexpr std::size_t kEndpoints = 11;

private:
    // The raw answer of a call that got a 2xx, or why there is none.
    struct Reply {
        std::optional<std::string> body;  // set on 2xx
        std::optional<GraphRefusal> refusal;
        std::optional<GraphUnavailable> unavailable;
    };

    boost::asio::awaitable<Reply> call(Endpoint endpoint, HttpRequest request);
    // Admission through the breaker, then the outcome recorded: the parts of call() download_media shares.
    std::optional<GraphUnavailable> admit(Endpoint endpoint);
    Reply settle_answer(Endpoint endpoint, unsigned status, std::string body,
                        std::optional<std::chrono::seconds> retry_after);
    Reply settle_failure(Endpoint endpoint, const HttpError& error);

    HttpRequest graph_request(std::string method, std::string url, const std::string& access_token,
                              std::string body) const;
    CircuitBreaker& breaker_of(Endpoint endpoint) noexcept;
    GraphEndpointMetrics& metrics_of(Endpoint endpoint) noexcept;

    HttpClient& http_;
    GraphClientOptions options_;
    std::array<std::unique_ptr<CircuitBreaker>, kGraphFamilies> breakers_;
    std::array<std::unique_ptr<GraphEndpointMetrics>, kEndpoints> metrics_;
};

}  // namespace inbox::graph
