#pragma once
// What the server and the handlers do with a request's target before any I/O, as fuzz checks: routing with the
// application's table, the path ids, the query parameters and the inbox parsers (api/query_params.hpp). Each call
// asserts the documented contracts; an http::ApiError is an expected answer, any other exception escapes.
#include <string_view>

#include "inbox/http/types.hpp"

namespace inbox::fuzz {

// Routes the request as Dispatcher::dispatch does and, on a match, sets its template and path parameters and checks
// the path ids as the handlers read them (api::path_uuid).
void check_routing(http::Request& request);

// Every query parameter a route reads, through Request::query_param, and the inbox parsers on their values.
void check_query_parameters(const http::Request& request);

// The api parsers on one arbitrary text, as if it were any of the parameters they read.
void check_parameter_text(std::string_view text);

}  // namespace inbox::fuzz
