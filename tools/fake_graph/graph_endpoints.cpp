// The fake Graph API endpoints proper: messages, media metadata and download, templates, contact lookup.
#include <openssl/evp.h>

#include <algorithm>
#include <boost/url/url.hpp>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "fake_graph/endpoints.hpp"
#include "fake_graph/media_bytes.hpp"
#include "fake_graph/state.hpp"
#include "fake_graph/template_check.hpp"
#include "fake_graph/webhook_echo.hpp"

namespace fake_graph {
namespace {

using nlohmann::json;

constexpr std::size_t kDefaultTemplateLimit = 25;
constexpr std::size_t kMaxTemplateLimit = 1000;

Reply invalid_parameter(std::string details) {
    auto error = graph_error_for(100);
    error.details = std::move(details);
    return error_reply(error);
}

// The download URL's token binds it to the media id and the access token that asked for the metadata, like
// Meta's URLs that only answer to the same app's token.
std::string media_url_token(std::string_view media_id, std::string_view bearer) {
    const std::string input = "fake-graph-media|" + std::string(media_id) + "|" + std::string(bearer);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr);
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest), 16));
}

std::string digits_of(std::string_view phone) {
    std::string digits;
    std::copy_if(phone.begin(), phone.end(), std::back_inserter(digits), [](unsigned char c) { return std::isdigit(c); });
    return digits;
}

std::optional<json> json_body(const Request& request) {
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return std::nullopt;
    return body;
}

std::optional<std::string> string_field(const json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) return std::nullopt;
    return found->get<std::string>();
}

// Reactions and mark-read calls get no statuses from Meta; everything else that is accepted does.
void add_status_webhooks(const EndpointContext& ctx, const json& body, const std::string& wamid, Reply& reply) {
    const auto knobs = ctx.state.knobs().webhooks;
    if (knobs.url.empty() || body.value("type", "") == "reaction") return;
    AcceptedSend send{ctx.target.segments.size() > 1 ? ctx.target.segments[1] : "",
                      digits_of(body["to"].get<std::string>()), wamid,
                      string_field(body, "biz_opaque_callback_data"),
                      std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count()};
    if (State::draw(knobs.before_answer_rate)) {
        reply.webhooks_before.push_back(inbound_and_status_webhook_body(send, wamid + ".in"));
    } else {
        reply.webhooks_after.push_back(status_webhook_body(send));
    }
}

// What Meta refuses of a template send (the knobs say which numbers and templates it knows).
std::optional<GraphError> refused_template(const EndpointContext& ctx, const json& body, const std::string& to) {
    if (body.value("type", "") != "template") return std::nullopt;
    const auto knobs = ctx.state.knobs();
    if (knobs.undeliverable_to.contains(to)) {
        auto error = graph_error_for(131026);
        error.details = "The recipient " + to + " is not a WhatsApp user";
        return error;
    }
    const auto templ = body.contains("template") && body["template"].is_object() ? body["template"] : json::object();
    const auto language = templ.contains("language") && templ["language"].is_object()
                              ? templ["language"].value("code", "")
                              : std::string();
    const auto stored = ctx.state.templates().find(templ.value("name", ""), language);
    if (!stored) {
        if (!knobs.require_known_templates) return std::nullopt;
        auto error = graph_error_for(132001);
        error.details = "template name (" + templ.value("name", "") + ") does not exist in " + language;
        return error;
    }
    return check_template_parameters(*stored, templ);
}

}  // namespace

Reply json_reply(int status, const json& body) {
    Reply reply;
    reply.status = status;
    reply.body = body.dump();
    return reply;
}

Reply error_reply(const GraphError& error) {
    Reply reply;
    reply.status = error.http_status;
    reply.body = error_body(error);
    return reply;
}

std::optional<std::string> bearer_token(std::string_view authorization) {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size()) return std::nullopt;
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
    }
    return std::string(authorization.substr(kScheme.size()));
}

Reply send_message(const EndpointContext& ctx) {
    const auto body = json_body(ctx.request);
    if (!body) return invalid_parameter("The request body must be a JSON object");
    if (body->value("messaging_product", "") != "whatsapp") {
        return invalid_parameter("The parameter messaging_product is required and must be 'whatsapp'");
    }
    // A read receipt (maybe with a typing indicator): no recipient, no wamid, no statuses.
    if (body->value("status", "") == "read") {
        if (!body->contains("message_id") || !(*body)["message_id"].is_string()) {
            return invalid_parameter("The parameter message_id is required");
        }
        return json_reply(200, {{"success", true}});
    }
    if (!body->contains("to") || !(*body)["to"].is_string() || digits_of((*body)["to"].get<std::string>()).empty()) {
        return invalid_parameter("The parameter to is required");
    }
    const auto to = (*body)["to"].get<std::string>();
    if (auto refused = refused_template(ctx, *body, digits_of(to))) return error_reply(*refused);
    const auto wamid = ctx.state.next_wamid();
    auto reply = json_reply(200, {{"messaging_product", "whatsapp"},
                                  {"contacts", json::array({{{"input", to}, {"wa_id", digits_of(to)}}})},
                                  {"messages", json::array({{{"id", wamid}}})}});
    add_status_webhooks(ctx, *body, wamid, reply);
    return reply;
}

Reply media_meta(const EndpointContext& ctx, const std::string& media_id) {
    if (ctx.state.media_expired(media_id)) return error_reply(object_does_not_exist(media_id));
    const auto spec = ctx.state.media_spec(media_id);
    auto digest = ctx.state.media_digest(media_id, spec.size);
    if (spec.wrong_sha256) digest[0] = static_cast<char>(digest[0] ^ 0xFF);

    boost::urls::url url(ctx.base_url);
    url.set_path("/");
    url.segments() = {"media-download", media_id};
    url.params().append({"token", media_url_token(media_id, bearer_token(ctx.request.authorization).value_or(""))});
    return json_reply(200, {{"messaging_product", "whatsapp"},
                            {"url", url.buffer()},
                            {"mime_type", spec.mime_type},
                            {"sha256", spec.sha256_base64 ? to_base64(digest) : to_hex(digest)},
                            {"file_size", spec.size},
                            {"id", media_id}});
}

Reply media_download(const EndpointContext& ctx, const std::string& media_id) {
    if (ctx.state.media_expired(media_id)) return error_reply(object_does_not_exist(media_id));
    const auto bearer = bearer_token(ctx.request.authorization);
    const auto token = ctx.target.params.find("token");
    if (!bearer || token == ctx.target.params.end() || token->second != media_url_token(media_id, *bearer)) {
        return error_reply(invalid_access_token());
    }
    const auto spec = ctx.state.media_spec(media_id);
    Reply reply;
    reply.kind = Reply::Kind::stream_media;
    reply.content_type = spec.mime_type;
    reply.media_id = media_id;
    reply.media_size = spec.size;
    return reply;
}

Reply list_templates(const EndpointContext& ctx, const std::string& version, const std::string& waba_id) {
    std::size_t limit = kDefaultTemplateLimit;
    if (const auto found = ctx.target.params.find("limit"); found != ctx.target.params.end()) {
        const auto& text = found->second;
        if (text.empty() || text.size() > 6 || !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }) || std::stoul(text) == 0) {
            return invalid_parameter("limit must be a positive integer");
        }
        limit = std::min<std::size_t>(std::stoul(text), kMaxTemplateLimit);
    }
    const auto after = ctx.target.params.contains("after") ? ctx.target.params.at("after") : std::string();
    TemplatePage page;
    try {
        page = ctx.state.templates().page(waba_id, limit, after);
    } catch (const std::invalid_argument&) {
        return invalid_parameter("Invalid paging cursor: " + after);
    }
    json data = json::array();
    for (const auto& t : page.items) data.push_back(to_json(t));
    json body{{"data", data}};
    if (!page.items.empty()) {
        body["paging"]["cursors"] = {{"before", page.before}, {"after", page.after}};
    }
    if (page.has_more) {
        boost::urls::url next(ctx.base_url);
        next.set_path("/");
        next.segments() = {version, waba_id, "message_templates"};
        next.params().append({"limit", std::to_string(limit)});
        next.params().append({"after", page.after});
        body["paging"]["next"] = next.buffer();
    }
    return json_reply(200, body);
}

Reply create_template(const EndpointContext& ctx, const std::string& waba_id) {
    auto body = json_body(ctx.request);
    if (!body) return invalid_parameter("The request body must be a JSON object");
    MessageTemplate t;
    try {
        (*body)["waba_id"] = waba_id;
        (*body)["status"] = "PENDING";
        body->erase("id");
        t = template_from_json(*body);
    } catch (const std::invalid_argument& e) {
        return invalid_parameter(e.what());
    }
    t = ctx.state.templates().add(std::move(t));
    return json_reply(200, {{"id", t.id}, {"status", t.status}, {"category", t.category}});
}

Reply lookup_contact(const EndpointContext& ctx, const std::string& wa_id) {
    return json_reply(200, {{"wa_id", wa_id}, {"profile_name", ctx.state.profile_name(wa_id)}});
}

}  // namespace fake_graph
