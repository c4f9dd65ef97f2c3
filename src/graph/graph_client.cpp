#include "inbox/graph/graph_client.hpp"

#include <spdlog/spdlog.h>

#include <system_error>

#include <algorithm>
#include <cmath>

#include "inbox/auth/random.hpp"
#include "inbox/graph/graph_error.hpp"
#include "inbox/graph/graph_payloads.hpp"
#include "inbox/graph/graph_urls.hpp"
#include "inbox/observability/metrics.hpp"

namespace inbox::graph {

namespace asio = boost::asio;
using Endpoint = GraphClient::Endpoint;

struct GraphEndpointMetrics {
    observability::Counter* success = nullptr;
    observability::Counter* refused = nullptr;
    observability::Counter* unavailable = nullptr;
    observability::Counter* rejected = nullptr;  // not called: the breaker was open
    observability::Histogram* latency = nullptr;
};

namespace {

constexpr const char* kEndpointNames[GraphClient::kEndpoints] = {
    "send_text",      "send_template",  "send_media",      "send_reaction", "mark_read",     "media_upload",
    "media_meta",     "media_download", "list_templates", "create_template", "contact_lookup"};

const char* name_of(Endpoint endpoint) { return kEndpointNames[static_cast<std::size_t>(endpoint)]; }

GraphFamily family_of(Endpoint endpoint) {
    switch (endpoint) {
        case Endpoint::send_text:
        case Endpoint::send_template:
        case Endpoint::send_media:
        case Endpoint::send_reaction:
        case Endpoint::mark_read:
            return GraphFamily::messages;
        case Endpoint::media_upload:
        case Endpoint::media_meta:
        case Endpoint::media_download:
            return GraphFamily::media;
        case Endpoint::list_templates:
        case Endpoint::create_template:
            return GraphFamily::templates;
        case Endpoint::contact_lookup:
            return GraphFamily::contacts;
    }
    return GraphFamily::messages;
}

double seconds_since(std::chrono::steady_clock::time_point started) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// The non-success alternatives of a Reply, as a result of any type.
template <typename T, typename R>
GraphResult<T> failure_of(const R& reply) {
    if (reply.refusal) return *reply.refusal;
    return *reply.unavailable;
}

// A 2xx body through `parse`; a body we cannot read is an upstream fault, not a success.
template <typename T, typename R>
GraphResult<T> interpret(const R& reply, std::optional<T> (*parse)(std::string_view), Endpoint endpoint) {
    if (!reply.body) return failure_of<T>(reply);
    if (auto parsed = parse(*reply.body)) return std::move(*parsed);
    spdlog::warn("graph {}: unexpected 2xx answer ({} bytes)", name_of(endpoint), reply.body->size());
    return GraphUnavailable{.reason = "malformed_response", .retry_after_seconds = 1};
}

// The same failure, as a result of another type.
template <typename T, typename U>
GraphResult<T> rewrap_failure(const GraphResult<U>& result) {
    if (result.refused()) return *result.refused();
    return *result.unavailable();
}

// A refusal of ours, made before or instead of Meta's answer.
GraphRefusal local_refusal(std::string title, std::string details = {}) {
    GraphRefusal refusal;
    refusal.title = std::move(title);
    refusal.details = std::move(details);
    return refusal;
}

MediaDownload media_download_of(DownloadResult& result) {
    return MediaDownload{.bytes = result.bytes,
                         .sha256_hex = std::move(result.sha256_hex),
                         .content_type = std::move(result.content_type)};
}

GraphRefusal refusal_of(unsigned status, const std::optional<GraphError>& error) {
    GraphRefusal refusal{.http_status = status};
    if (error) {
        refusal.code = error->code;
        refusal.subcode = error->subcode;
        refusal.title = error->message;
        refusal.details = error->details;
        refusal.fbtrace_id = error->fbtrace_id;
    } else {
        refusal.title = "HTTP " + std::to_string(status);
    }
    return refusal;
}

}  // namespace

const char* to_string(GraphFamily family) noexcept {
    switch (family) {
        case GraphFamily::messages:
            return "messages";
        case GraphFamily::media:
            return "media";
        case GraphFamily::templates:
            return "templates";
        case GraphFamily::contacts:
            return "contacts";
    }
    return "unknown";
}

GraphClient::GraphClient(HttpClient& http, GraphClientOptions options, observability::MetricsRegistry& metrics,
                         CircuitBreaker::Clock clock)
    : http_(http), options_(std::move(options)) {
    for (std::size_t i = 0; i < kGraphFamilies; ++i) {
        breakers_[i] =
            std::make_unique<CircuitBreaker>(to_string(static_cast<GraphFamily>(i)), options_.breaker, clock, &metrics);
    }
    constexpr const char* kRequestsHelp = "Graph API calls by endpoint and outcome";
    for (std::size_t i = 0; i < kEndpoints; ++i) {
        const std::string endpoint = kEndpointNames[i];
        auto counter = [&](const char* outcome) {
            return &metrics.counter("inbox_graph_requests_total", kRequestsHelp,
                                    {{"endpoint", endpoint}, {"outcome", outcome}});
        };
        metrics_[i] = std::make_unique<GraphEndpointMetrics>(GraphEndpointMetrics{
            .success = counter("success"),
            .refused = counter("refused"),
            .unavailable = counter("unavailable"),
            .rejected = counter("rejected"),
            .latency = &metrics.histogram("inbox_graph_request_duration_seconds",
                                          "Graph API call latency by endpoint (calls that went out)",
                                          {{"endpoint", endpoint}})});
    }
}

GraphClient::~GraphClient() = default;

CircuitBreaker& GraphClient::breaker_of(Endpoint endpoint) noexcept { return breaker(family_of(endpoint)); }

GraphEndpointMetrics& GraphClient::metrics_of(Endpoint endpoint) noexcept {
    return *metrics_[static_cast<std::size_t>(endpoint)];
}

HttpRequest GraphClient::graph_request(std::string method, std::string url, const std::string& access_token,
                                       std::string body) const {
    HttpRequest request;
    request.method = std::move(method);
    request.url = std::move(url);
    request.timeout = options_.request_timeout;
    request.headers.push_back(HttpHeader{"Accept", "application/json"});
    if (!access_token.empty()) request.headers.push_back(HttpHeader{"Authorization", "Bearer " + access_token});
    if (!body.empty()) request.headers.push_back(HttpHeader{"Content-Type", "application/json"});
    request.body = std::move(body);
    return request;
}

std::optional<GraphUnavailable> GraphClient::admit(Endpoint endpoint) {
    auto& breaker = breaker_of(endpoint);
    if (breaker.allow()) return std::nullopt;
    metrics_of(endpoint).rejected->inc();
    const auto wait = std::chrono::duration<double>(breaker.time_until_probe()).count();
    return GraphUnavailable{.reason = "circuit_open",
                            .retry_after_seconds = std::max(1, static_cast<int>(std::ceil(wait)))};
}

GraphClient::Reply GraphClient::settle_answer(Endpoint endpoint, unsigned status, std::string body,
                                              std::optional<std::chrono::seconds> retry_after) {
    auto& breaker = breaker_of(endpoint);
    auto& metrics = metrics_of(endpoint);
    Reply reply;
    if (status >= 200 && status < 300) {
        breaker.record_success();
        metrics.success->inc();
        reply.body = std::move(body);
        return reply;
    }
    const auto error = parse_graph_error(body);
    const auto verdict = classify(status, error);
    if (verdict.verdict == Verdict::refused) {
        breaker.record_success();  // Meta answered: the upstream works
        metrics.refused->inc();
        reply.refusal = refusal_of(status, error);
        spdlog::info("graph {}: refused, HTTP {} code {} fbtrace_id {}", name_of(endpoint), status, reply.refusal->code,
                     reply.refusal->fbtrace_id);
        return reply;
    }
    // Meta answered: an account's throttling says nothing about the upstream's health (graph_error.hpp).
    if (verdict.breaker_failure) {
        breaker.record_failure();
    } else {
        breaker.record_success();
    }
    metrics.unavailable->inc();
    GraphUnavailable unavailable{.reason = error ? "graph_error" : "http_" + std::to_string(status),
                                 .retry_after_seconds = verdict.retry_after_seconds,
                                 .graph_code = error ? error->code : 0,
                                 .http_status = status};
    if (retry_after) {
        unavailable.retry_after_seconds =
            std::max(unavailable.retry_after_seconds, static_cast<int>(retry_after->count()));
    }
    spdlog::warn("graph {}: unavailable, HTTP {} code {} fbtrace_id {}", name_of(endpoint), status,
                 unavailable.graph_code, error ? error->fbtrace_id : std::string());
    reply.unavailable = std::move(unavailable);
    return reply;
}

GraphClient::Reply GraphClient::settle_failure(Endpoint endpoint, const HttpError& failure) {
    breaker_of(endpoint).record_failure();
    metrics_of(endpoint).unavailable->inc();
    spdlog::warn("graph {}: unavailable, {}", name_of(endpoint), failure.what());  // no URL, no headers
    Reply reply;
    reply.unavailable = GraphUnavailable{.reason = to_string(failure.kind()), .retry_after_seconds = 1};
    return reply;
}

asio::awaitable<GraphClient::Reply> GraphClient::call(Endpoint endpoint, HttpRequest request) {
    if (auto rejected = admit(endpoint)) {
        Reply reply;
        reply.unavailable = std::move(rejected);
        co_return reply;
    }
    const auto started = std::chrono::steady_clock::now();
    std::optional<HttpResponse> response;
    std::optional<HttpError> failure;
    try {
        response = co_await http_.request(std::move(request));
    } catch (const HttpError& e) {
        failure = e;
    } catch (...) {
        breaker_of(endpoint).record_failure();  // never leave a half-open probe outstanding
        throw;
    }
    metrics_of(endpoint).latency->observe(seconds_since(started));
    if (failure) co_return settle_failure(endpoint, *failure);
    co_return settle_answer(endpoint, response->status, std::move(response->body), response->retry_after);
}

asio::awaitable<GraphResult<SentMessage>> GraphClient::send_media(std::string phone_number_id,
                                                                  std::string access_token, MessageEnvelope envelope,
                                                                  OutboundMedia media) {
    auto url = messages_url(options_.api_base, options_.api_version, phone_number_id);
    auto request = graph_request("POST", std::move(url), access_token, media_message_body(envelope, media));
    const auto reply = co_await call(Endpoint::send_media, std::move(request));
    co_return interpret(reply, &parse_sent_message, Endpoint::send_media);
}

// The bytes go as one multipart part streamed from the store's file; a 100 MiB document gets the download
// timeout, not a message's.
asio::awaitable<GraphResult<UploadedMedia>> GraphClient::upload_media(std::string phone_number_id,
                                                                      std::string access_token, MediaFile file) {
    auto url = media_upload_url(options_.api_base, options_.api_version, phone_number_id);
    auto request = graph_request("POST", std::move(url), access_token, std::string());
    const auto boundary = "inbox-" + auth::random_hex(16);
    request.headers.push_back(HttpHeader{"Content-Type", "multipart/form-data; boundary=" + boundary});
    request.file_body = media_upload_body(boundary, file);
    request.timeout = options_.upload_timeout;
    const auto reply = co_await call(Endpoint::media_upload, std::move(request));
    co_return interpret(reply, &parse_uploaded_media, Endpoint::media_upload);
}

asio::awaitable<GraphResult<SentMessage>> GraphClient::send_text(std::string phone_number_id, std::string access_token,
                                                                 MessageEnvelope envelope, std::string text) {
    auto url = messages_url(options_.api_base, options_.api_version, phone_number_id);
    auto request = graph_request("POST", std::move(url), access_token, text_message_body(envelope, text));
    const auto reply = co_await call(Endpoint::send_text, std::move(request));
    co_return interpret(reply, &parse_sent_message, Endpoint::send_text);
}

asio::awaitable<GraphResult<SentMessage>> GraphClient::send_template(std::string phone_number_id,
                                                                     std::string access_token, MessageEnvelope envelope,
                                                                     OutboundTemplate outbound) {
    auto url = messages_url(options_.api_base, options_.api_version, phone_number_id);
    auto body = template_message_body(envelope, outbound);
    auto request = graph_request("POST", std::move(url), access_token, std::move(body));
    const auto reply = co_await call(Endpoint::send_template, std::move(request));
    co_return interpret(reply, &parse_sent_message, Endpoint::send_template);
}

asio::awaitable<GraphResult<SentMessage>> GraphClient::send_reaction(std::string phone_number_id,
                                                                     std::string access_token, MessageEnvelope envelope,
                                                                     std::string target_wamid, std::string emoji) {
    auto url = messages_url(options_.api_base, options_.api_version, phone_number_id);
    auto request =
        graph_request("POST", std::move(url), access_token, reaction_message_body(envelope, target_wamid, emoji));
    const auto reply = co_await call(Endpoint::send_reaction, std::move(request));
    co_return interpret(reply, &parse_sent_message, Endpoint::send_reaction);
}

asio::awaitable<GraphResult<ReadMarked>> GraphClient::mark_read(std::string phone_number_id, std::string access_token,
                                                                std::string wa_message_id, bool typing) {
    auto url = messages_url(options_.api_base, options_.api_version, phone_number_id);
    auto request = graph_request("POST", std::move(url), access_token, read_receipt_body(wa_message_id, typing));
    const auto reply = co_await call(Endpoint::mark_read, std::move(request));
    co_return interpret(reply, &parse_read_marked, Endpoint::mark_read);
}

asio::awaitable<GraphResult<MediaMeta>> GraphClient::get_media_meta(std::string media_id, std::string access_token) {
    auto url = media_meta_url(options_.api_base, options_.api_version, media_id);
    auto request = graph_request("GET", std::move(url), access_token, std::string());
    const auto reply = co_await call(Endpoint::media_meta, std::move(request));
    co_return interpret(reply, &parse_media_meta, Endpoint::media_meta);
}

asio::awaitable<GraphResult<MediaDownload>> GraphClient::download_media(std::string url, std::string access_token,
                                                                        std::string path, std::uint64_t max_bytes) {
    constexpr auto endpoint = Endpoint::media_download;
    if (!host_allowed(url, options_.media_hosts)) {
        metrics_of(endpoint).refused->inc();
        spdlog::warn("graph media_download: refused a media URL whose host is not in GRAPH_MEDIA_HOSTS");
        co_return local_refusal(kMediaHostNotAllowed);
    }
    if (auto rejected = admit(endpoint)) co_return std::move(*rejected);

    auto headers = graph_request("GET", std::string(), access_token, std::string()).headers;
    const auto started = std::chrono::steady_clock::now();
    std::optional<DownloadResult> result;
    std::optional<HttpError> failure;
    try {
        result = co_await http_.download_to_file(std::move(url), std::move(headers), std::move(path), max_bytes);
    } catch (const HttpError& e) {
        failure = e;
    } catch (const std::system_error&) {
        throw;  // the local file (a full disk): no failure of Meta's, so the breaker is left as it is
    } catch (...) {
        breaker_of(endpoint).record_failure();
        throw;
    }
    metrics_of(endpoint).latency->observe(seconds_since(started));
    if (failure && failure->kind() == HttpErrorKind::too_large) {
        breaker_of(endpoint).record_success();  // the upstream works; this media is just over our limit
        metrics_of(endpoint).refused->inc();
        co_return local_refusal(kMediaTooLarge, failure->what());
    }
    if (failure) co_return failure_of<MediaDownload>(settle_failure(endpoint, *failure));

    auto reply = settle_answer(endpoint, result->status, std::move(result->error_body), std::nullopt);
    if (!reply.body) co_return failure_of<MediaDownload>(reply);
    co_return media_download_of(*result);
}

asio::awaitable<GraphResult<std::vector<MessageTemplate>>> GraphClient::list_templates(std::string waba_id,
                                                                                       std::string access_token) {
    std::vector<MessageTemplate> templates;
    std::string after;
    for (std::size_t page = 0; page < options_.max_template_pages; ++page) {
        auto url = templates_url(options_.api_base, options_.api_version, waba_id, after, options_.template_page_size);
        auto request = graph_request("GET", std::move(url), access_token, std::string());
        const auto reply = co_await call(Endpoint::list_templates, std::move(request));
        auto parsed = interpret(reply, &parse_template_page, Endpoint::list_templates);
        if (!parsed) co_return rewrap_failure<std::vector<MessageTemplate>>(parsed);
        auto& items = parsed.value().templates;
        std::move(items.begin(), items.end(), std::back_inserter(templates));
        after = std::move(parsed.value().next_after);
        if (after.empty()) co_return std::move(templates);
    }
    spdlog::warn("graph list_templates: stopped after {} pages", options_.max_template_pages);
    co_return std::move(templates);
}

asio::awaitable<GraphResult<CreatedTemplate>> GraphClient::create_template(std::string waba_id,
                                                                           std::string access_token, std::string name,
                                                                           std::string language, std::string category,
                                                                           std::string body_text) {
    auto url = templates_url(options_.api_base, options_.api_version, waba_id);
    auto body = template_creation_body(name, language, category, body_text);
    auto request = graph_request("POST", std::move(url), access_token, std::move(body));
    const auto reply = co_await call(Endpoint::create_template, std::move(request));
    co_return interpret(reply, &parse_created_template, Endpoint::create_template);
}

asio::awaitable<GraphResult<ContactProfile>> GraphClient::lookup_contact(std::string url_template, std::string wa_id,
                                                                         std::string access_token) {
    auto request = graph_request("GET", contact_lookup_url(url_template, wa_id), access_token, std::string());
    request.timeout = options_.contact_lookup_timeout;
    const auto reply = co_await call(Endpoint::contact_lookup, std::move(request));
    co_return interpret(reply, &parse_contact_profile, Endpoint::contact_lookup);
}

}  // namespace inbox::graph
