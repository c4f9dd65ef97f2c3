#pragma once
// POST /messages/{message_id}/reactions (API.md Part 2, "Replies, reactions").
namespace inbox::http {
class Router;
}
namespace inbox::services {
class ReactionService;
}

namespace inbox::api {

void register_reaction_routes(http::Router& router, services::ReactionService& reactions);

}  // namespace inbox::api
