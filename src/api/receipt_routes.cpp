#include "inbox/api/receipt_routes.hpp"

#include "inbox/api/query_params.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/services/read_receipts.hpp"

namespace inbox::api {
namespace {

// Not in the coroutine: GCC 12 mishandles braced lists there (docs/ARCHITECTURE.md).
http::Response typing_response(services::TypingOutcome outcome) {
    if (outcome == services::TypingOutcome::not_found) throw http::ApiError::not_found("conversation not found");
    const char* status = outcome == services::TypingOutcome::sent ? "sent" : "skipped";
    return http::json_response(http::Status::accepted, {{"status", status}});
}

}  // namespace

// No body. 202 {"status": "sent" | "skipped"}: skipped inside the 20 s throttle, outside the window, with the
// policy `never`, without an inbound message, or when Meta did not take it (never an error for a hint).
void register_receipt_routes(http::Router& router, services::ReadReceipts& receipts) {
    router.add(http::Verb::post, "/conversations/{conversation_id}/typing",
               [&receipts](http::Request& request) -> boost::asio::awaitable<http::Response> {
                   auto conversation_id = path_uuid(request, "conversation_id", "conversation");
                   auto outcome = co_await receipts.typing(*request.user_id, std::move(conversation_id));
                   co_return typing_response(outcome);
               });
}

}  // namespace inbox::api
