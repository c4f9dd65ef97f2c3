#pragma once
// Graph API failures as API errors, in one place (API.md "Sending": the same mapping for every route):
// Meta refused → 502 upstream_error with "graph_error": {code, title, details};
// unavailable (timeout, 5xx, throttling, circuit open) → 503 upstream_unavailable with Retry-After.
#include "inbox/graph/graph_result.hpp"
#include "inbox/http/api_error.hpp"

namespace inbox::api {

http::ApiError upstream_error(const graph::GraphRefusal& refusal);
http::ApiError upstream_unavailable(const graph::GraphUnavailable& unavailable);

}  // namespace inbox::api
