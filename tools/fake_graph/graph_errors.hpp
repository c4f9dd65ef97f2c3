#pragma once
// Graph API error bodies in Meta's shape, and the catalog of codes the fake knows by heart.
#include <optional>
#include <string>
#include <string_view>

namespace fake_graph {

struct GraphError {
    int http_status = 400;
    int code = 100;
    std::optional<int> subcode;
    std::string type = "OAuthException";
    std::string message;
    std::string details;
};

// The usual HTTP status, type and message of a Graph error code (unknown codes get a generic 400).
GraphError graph_error_for(int code);

// Code 100 / subcode 33: what Graph answers for an expired or unknown media id.
GraphError object_does_not_exist(std::string_view object_id);

// Code 190: missing or wrong access token.
GraphError invalid_access_token();

// {"error":{"message","type","code","error_subcode"?,"error_data":{"messaging_product","details"},"fbtrace_id"}}
std::string error_body(const GraphError& error);

}  // namespace fake_graph
