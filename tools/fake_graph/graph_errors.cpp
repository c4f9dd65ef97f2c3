#include "fake_graph/graph_errors.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace fake_graph {
namespace {

struct CatalogEntry {
    int code;
    int http_status;
    std::string_view title;
};

// Titles as Meta documents them; statuses as Graph answers them in practice.
constexpr std::array kCatalog{
    CatalogEntry{1, 500, "An unknown error occurred"},
    CatalogEntry{2, 503, "Service temporarily unavailable"},
    CatalogEntry{4, 400, "Application request limit reached"},
    CatalogEntry{17, 400, "User request limit reached"},
    CatalogEntry{100, 400, "Invalid parameter"},
    CatalogEntry{190, 401, "Invalid OAuth access token"},
    CatalogEntry{341, 400, "Application limit reached"},
    CatalogEntry{80007, 400, "Rate limit issues"},
    CatalogEntry{130429, 400, "Rate limit hit"},
    CatalogEntry{131000, 500, "Something went wrong"},
    CatalogEntry{131008, 400, "Required parameter is missing"},
    CatalogEntry{131009, 400, "Parameter value is not valid"},
    CatalogEntry{131016, 503, "Service unavailable"},
    CatalogEntry{131026, 400, "Message undeliverable"},
    CatalogEntry{131030, 400, "Recipient phone number not in allowed list"},
    CatalogEntry{131047, 400, "Re-engagement message"},
    CatalogEntry{131051, 400, "Unsupported message type"},
    CatalogEntry{131053, 400, "Media upload error"},
    CatalogEntry{131056, 400, "(Business Account, Consumer Account) pair rate limit hit"},
    CatalogEntry{132000, 400, "Number of parameters does not match the expected number of params"},
    CatalogEntry{132001, 404, "Template name does not exist in the translation"},
};

std::string next_fbtrace_id() {
    static std::atomic<unsigned> counter{0};
    std::array<char, 24> id{};
    std::snprintf(id.data(), id.size(), "AFake%016X", counter.fetch_add(1, std::memory_order_relaxed));
    return id.data();
}

}  // namespace

GraphError graph_error_for(int code) {
    GraphError error;
    error.code = code;
    error.message = "(#" + std::to_string(code) + ") Unknown error";
    for (const auto& entry : kCatalog) {
        if (entry.code == code) {
            error.http_status = entry.http_status;
            error.message = "(#" + std::to_string(code) + ") " + std::string(entry.title);
        }
    }
    return error;
}

GraphError object_does_not_exist(std::string_view object_id) {
    GraphError error;
    error.code = 100;
    error.subcode = 33;
    error.type = "GraphMethodException";
    error.message = "Unsupported get request. Object with ID '" + std::string(object_id) +
                    "' does not exist, cannot be loaded due to missing permissions, or does not support this "
                    "operation. Please read the Graph API documentation at "
                    "https://developers.facebook.com/docs/graph-api";
    return error;
}

GraphError invalid_access_token() {
    auto error = graph_error_for(190);
    error.message = "Invalid OAuth access token - Cannot parse access token";
    return error;
}

std::string error_body(const GraphError& error) {
    nlohmann::json body{{"message", error.message}, {"type", error.type}, {"code", error.code}};
    if (error.subcode) body["error_subcode"] = *error.subcode;
    body["error_data"] = {{"messaging_product", "whatsapp"},
                          {"details", error.details.empty() ? error.message : error.details}};
    body["fbtrace_id"] = next_fbtrace_id();
    return nlohmann::json{{"error", body}}.dump();
}

}  // namespace fake_graph
