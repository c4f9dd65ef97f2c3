#include "inbox/api/upstream_errors.hpp"

namespace inbox::api {

http::ApiError upstream_error(const graph::GraphRefusal& refusal) {
    nlohmann::json graph_error = {{"code", refusal.code}, {"title", refusal.title}, {"details", refusal.details}};
    return http::ApiError::upstream_error("the WhatsApp Graph API refused the request",
                                          {{"graph_error", std::move(graph_error)}});
}

http::ApiError upstream_unavailable(const graph::GraphUnavailable& unavailable) {
    const auto seconds =
        unavailable.retry_after_seconds > 0 ? static_cast<unsigned>(unavailable.retry_after_seconds) : 1u;
    return http::ApiError::upstream_unavailable("the WhatsApp Graph API is unavailable, retry later", seconds);
}

}  // namespace inbox::api
