#pragma once
// The application's routing table for fuzzing: every template and body limit src/api/*_routes.cpp registers, with
// handlers that are never called (the targets only route, they never dispatch).
#include "inbox/http/router.hpp"

namespace inbox::fuzz {

// Built once; matching is const, so targets share it.
const http::Router& api_router();

}  // namespace inbox::fuzz
