#include "inbox/api/inbox_routes.hpp"

#include "inbox/api/json_views.hpp"
#include "inbox/api/query_params.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/services/inbox_service.hpp"

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;

// Response bodies are built in plain functions: braced lists of strings inside coroutine bodies trip GCC 12.
// The two list renderers are handed to the service, which keeps what they write in its page cache.
std::string render_conversation_list(const services::ConversationList& list, const domain::PageRequest& page) {
    http::JsonWriter out;
    out.begin_object();
    write_data(out, list.rows, write_conversation);
    out.key("pagination").begin_object();
    write_pagination_fields(out, page, list.has_more);
    out.end_object().end_object();
    return out.take();
}

// next_before: the oldest message of the page, for the next call's `before` (null on the last page).
std::string render_message_page(const storage::MessagePage& page, const domain::PageRequest& request) {
    http::JsonWriter out;
    out.begin_object();
    write_data(out, page.rows, write_message);
    out.key("pagination").begin_object();
    write_pagination_fields(out, request, page.has_more);
    if (page.has_more && !page.rows.empty()) {
        out.key("next_before").string(page.rows.back().id);
    } else {
        out.key("next_before").null();
    }
    out.end_object().end_object();
    return out.take();
}

Response page_response(const std::optional<services::PageBody>& body) {
    if (!body) throw ApiError::not_found("account not found");
    return http::json_text_response(Status::ok, **body);
}

Response message_page_response(const services::MessagePageAnswer& answer) {
    using Outcome = storage::MessagePage::Outcome;
    if (answer.outcome == Outcome::conversation_not_found) throw ApiError::not_found("conversation not found");
    if (answer.outcome == Outcome::cursor_not_found) {
        throw ApiError::invalid_parameter("before is not a message of this conversation");
    }
    return http::json_text_response(Status::ok, *answer.body);
}

Response conversation_response(const std::optional<services::ConversationView>& view) {
    if (!view) throw ApiError::not_found("conversation not found");
    return http::json_text_response(Status::ok, conversation_json(*view));
}

Response mark_read_response(const std::optional<services::ConversationView>& view) {
    if (!view) throw ApiError::not_found("conversation not found");
    return http::json_response(Status::ok, {{"unread_count", view->conversation.unread_count}});
}

}  // namespace

void register_inbox_routes(http::Router& router, services::InboxService& inbox) {
    router.add(http::Verb::get, "/accounts/{account_id}/conversations",
               [&inbox](Request& request) -> boost::asio::awaitable<Response> {
                   auto account_id = path_uuid(request, "account_id", "account");
                   const auto page = parse_page(request.query_param("limit"), request.query_param("offset"));
                   const auto filter = parse_conversation_filter(request.query_param("status"));
                   auto body = co_await inbox.conversation_list_page(*request.user_id, std::move(account_id), filter,
                                                                     page, render_conversation_list);
                   co_return page_response(body);
               });

    router.add(http::Verb::get, "/conversations/{conversation_id}",
               [&inbox](Request& request) -> boost::asio::awaitable<Response> {
                   auto conversation_id = path_uuid(request, "conversation_id", "conversation");
                   auto view = co_await inbox.conversation(*request.user_id, std::move(conversation_id));
                   co_return conversation_response(view);
               });

    router.add(http::Verb::get, "/conversations/{conversation_id}/messages",
               [&inbox](Request& request) -> boost::asio::awaitable<Response> {
                   auto conversation_id = path_uuid(request, "conversation_id", "conversation");
                   const auto page = parse_page(request.query_param("limit"), request.query_param("offset"));
                   auto cursor = parse_before(request.query_param("before"));
                   auto answer = co_await inbox.message_page(*request.user_id, std::move(conversation_id),
                                                             std::move(cursor), page, render_message_page);
                   co_return message_page_response(answer);
               });

    router.add(http::Verb::post, "/conversations/{conversation_id}/read",
               [&inbox](Request& request) -> boost::asio::awaitable<Response> {
                   auto conversation_id = path_uuid(request, "conversation_id", "conversation");
                   auto view = co_await inbox.mark_read(*request.user_id, std::move(conversation_id));
                   co_return mark_read_response(view);
               });
}

}  // namespace inbox::api
