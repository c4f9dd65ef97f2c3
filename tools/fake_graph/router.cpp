#include "fake_graph/router.hpp"

#include <boost/url/parse.hpp>
#include <functional>
#include <nlohmann/json.hpp>

#include "fake_graph/endpoints.hpp"
#include "fake_graph/state.hpp"

namespace fake_graph {
namespace {

struct Route {
    Family family;
    std::function<Reply(const EndpointContext&)> handler;
    bool needs_access_token = true;  // media downloads carry their own check
};

std::optional<Route> match(const std::string& method, const std::vector<std::string>& s) {
    using Ctx = const EndpointContext&;
    if (s.size() == 2 && s[0] == "media-download" && method == "GET") {
        return Route{Family::media_download, [id = s[1]](Ctx ctx) { return media_download(ctx, id); }, false};
    }
    // A stand-in for a third-party lookup service, not a Graph endpoint: it takes no Meta token.
    if (s.size() == 2 && s[0] == "contacts-lookup" && method == "GET") {
        return Route{Family::contacts, [wa_id = s[1]](Ctx ctx) { return lookup_contact(ctx, wa_id); }, false};
    }
    if (s.size() == 3 && s[2] == "messages" && method == "POST") {
        return Route{Family::messages, [](Ctx ctx) { return send_message(ctx); }};
    }
    if (s.size() == 3 && s[2] == "media" && method == "POST") {
        return Route{Family::media_upload, [](Ctx ctx) { return upload_media(ctx); }};
    }
    if (s.size() == 3 && s[2] == "message_templates" && method == "GET") {
        return Route{Family::templates, [v = s[0], waba = s[1]](Ctx ctx) { return list_templates(ctx, v, waba); }};
    }
    if (s.size() == 3 && s[2] == "message_templates" && method == "POST") {
        return Route{Family::templates, [waba = s[1]](Ctx ctx) { return create_template(ctx, waba); }};
    }
    if (s.size() == 2 && method == "GET") {
        return Route{Family::media_meta, [id = s[1]](Ctx ctx) { return media_meta(ctx, id); }};
    }
    return std::nullopt;
}

Reply failure_reply(const Failure& failure) {
    Reply reply;
    if (failure.mode == FailureMode::hang) reply.kind = Reply::Kind::hang;
    if (failure.mode == FailureMode::reset) reply.kind = Reply::Kind::reset;
    if (reply.kind != Reply::Kind::respond) return reply;
    auto error = graph_error_for(failure.code);
    if (failure.status) error.http_status = *failure.status;
    error.subcode = failure.subcode;
    if (!failure.message.empty()) error.message = failure.message;
    error.details = failure.details;
    return error_reply(error);
}

}  // namespace

std::optional<Target> parse_target(std::string_view target) {
    const auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    Target parsed;
    for (auto segment : url->segments()) parsed.segments.push_back(segment);
    for (auto param : url->params()) parsed.params[param.key] = param.has_value ? param.value : "";
    return parsed;
}

Router::Router(State& state, std::string scheme, std::string default_host)
    : state_(state), scheme_(std::move(scheme)), default_host_(std::move(default_host)) {}

Reply Router::handle(const Request& request) const {
    const auto target = parse_target(request.target);
    if (!target || target->segments.empty()) {
        return error_reply(graph_error_for(100));
    }
    const EndpointContext ctx{state_, request, *target,
                              scheme_ + "://" + (request.host.empty() ? default_host_ : request.host)};
    if (target->segments.front() == "_control") return handle_control(ctx);

    const auto route = match(request.method, target->segments);
    if (!route) {
        auto error = graph_error_for(100);
        error.http_status = 404;
        error.message = "Unknown path components: " + request.method + " " + request.target;
        return error_reply(error);
    }
    state_.record(route->family, {request.method, request.target, request.authorization,
                                  route->family == Family::media_upload ? media_upload_summary(request) : request.body,
                                  0});
    const auto decision = state_.on_request(route->family);
    Reply reply;
    if (decision.failure) {
        reply = failure_reply(*decision.failure);
    } else if (route->needs_access_token && !bearer_token(request.authorization)) {
        reply = error_reply(invalid_access_token());
    } else if (const auto expected = state_.access_token();
               route->needs_access_token && expected && bearer_token(request.authorization) != expected) {
        reply = error_reply(invalid_access_token());
    } else {
        reply = route->handler(ctx);
    }
    reply.delay = decision.delay;
    return reply;
}

}  // namespace fake_graph
