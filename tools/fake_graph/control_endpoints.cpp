// /_control/...: the tests' and load tests' handle on the fake (knobs, preloads, counters, recorded requests).
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fake_graph/endpoints.hpp"
#include "fake_graph/state.hpp"

namespace fake_graph {
namespace {

using nlohmann::json;

Reply control_error(int status, const std::string& message) { return json_reply(status, {{"error", message}}); }

std::optional<json> json_body(const Request& request) {
    auto body = json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return std::nullopt;
    return body;
}

// {"waba_id"?: "...", "templates": [template...]} or one template object.
json preload_templates(State& state, const json& body) {
    const auto templates = body.contains("templates") ? body["templates"] : json::array({body});
    if (!templates.is_array()) throw std::invalid_argument("'templates' must be an array");
    json created = json::array();
    std::vector<MessageTemplate> parsed;  // validate all before adding any
    for (auto t : templates) {
        if (body.contains("waba_id") && t.is_object() && !t.contains("waba_id")) t["waba_id"] = body["waba_id"];
        parsed.push_back(template_from_json(t));
    }
    for (auto& t : parsed) created.push_back(to_json(state.templates().add(std::move(t))));
    return {{"created", created}};
}

Reply requests(const EndpointContext& ctx) {
    std::optional<Family> family;
    if (const auto found = ctx.target.params.find("family"); found != ctx.target.params.end()) {
        family = family_from_string(found->second);
        if (!family) return control_error(400, "unknown family '" + found->second + "'");
    }
    return json_reply(200, ctx.state.recorded(family));
}

}  // namespace

Reply handle_control(const EndpointContext& ctx) {
    const auto& segments = ctx.target.segments;
    const auto& method = ctx.request.method;
    const std::string name = segments.size() == 2 ? segments[1] : "";
    auto& state = ctx.state;

    if (name == "health" && method == "GET") return json_reply(200, {{"status", "ok"}});
    if (name == "stats" && method == "GET") return json_reply(200, state.stats());
    if (name == "requests" && method == "GET") return requests(ctx);
    if (name == "knobs" && method == "GET") return json_reply(200, to_json(state.knobs()));
    if (name == "reset" && method == "POST") {
        state.reset();
        return json_reply(200, {{"status", "reset"}});
    }
    if ((name == "knobs" || name == "templates" || name == "contacts") && method == "POST") {
        const auto body = json_body(ctx.request);
        if (!body || !body->is_object()) return control_error(400, "the body must be a JSON object");
        try {
            if (name == "templates") return json_reply(200, preload_templates(state, *body));
            state.apply_config(name == "contacts" ? json{{"contacts", *body}} : *body);
        } catch (const std::exception& e) {
            return control_error(400, e.what());
        }
        return json_reply(200, to_json(state.knobs()));
    }
    return control_error(404, "unknown control endpoint " + method + " " + ctx.request.target);
}

}  // namespace fake_graph
