#pragma once
// Internal to the fake: the endpoint handlers the router dispatches to, and their shared helpers.
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_graph/graph_errors.hpp"
#include "fake_graph/router.hpp"

namespace fake_graph {

struct Target {
    std::vector<std::string> segments;  // decoded path segments
    std::map<std::string, std::string> params;  // decoded query parameters
};

std::optional<Target> parse_target(std::string_view target);

struct EndpointContext {
    State& state;
    const Request& request;
    const Target& target;
    std::string base_url;  // scheme://host[:port] as the client reached us
};

Reply json_reply(int status, const nlohmann::json& body);
Reply error_reply(const GraphError& error);
std::optional<std::string> bearer_token(std::string_view authorization);

// Graph endpoints (the knobs have already been applied).
Reply send_message(const EndpointContext& ctx);
Reply upload_media(const EndpointContext& ctx);
// What is recorded of a media upload instead of its bytes: its fields, and the file's name, type, size and SHA-256.
std::string media_upload_summary(const Request& request);
Reply media_meta(const EndpointContext& ctx, const std::string& media_id);
Reply media_download(const EndpointContext& ctx, const std::string& media_id);
Reply list_templates(const EndpointContext& ctx, const std::string& version, const std::string& waba_id);
Reply create_template(const EndpointContext& ctx, const std::string& waba_id);
Reply lookup_contact(const EndpointContext& ctx, const std::string& wa_id);

// /_control/...
Reply handle_control(const EndpointContext& ctx);

}  // namespace fake_graph
