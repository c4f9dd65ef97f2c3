#include "inbox/api/contact_routes.hpp"

#include "inbox/api/query_params.hpp"
#include "inbox/domain/time.hpp"
#include "inbox/http/json_writer.hpp"
#include "inbox/http/responses.hpp"
#include "inbox/http/router.hpp"
#include "inbox/services/contact_service.hpp"

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;

void write_time(http::JsonWriter& out, const std::optional<domain::TimePoint>& time) {
    if (time) {
        out.string(domain::to_rfc3339(*time));
    } else {
        out.null();
    }
}

// {"contact": {...}, "whatsapp": {"wa_id", "profile_name", "last_inbound_at", "free_window"}, "source", "stale"}
Response info_response(const services::ContactAnswer& answer) {
    using Outcome = services::ContactAnswer::Outcome;
    if (answer.outcome == Outcome::not_found) throw ApiError::not_found("contact not found");
    if (answer.outcome == Outcome::unavailable) {
        throw ApiError::upstream_unavailable("nothing is stored for this contact and the lookup is unavailable",
                                             static_cast<unsigned>(answer.retry_after_seconds));
    }
    const auto& info = *answer.info;
    const auto& c = info.contact;
    http::JsonWriter out;
    out.begin_object().key("contact").begin_object()
        .key("id").string(c.id)
        .key("account_id").string(c.account_id)
        .key("wa_id").string(c.wa_id)
        .key("name").string(c.name)
        .key("profile_name").string(c.profile_name)
        .key("created_at").string(domain::to_rfc3339(c.created_at))
        .key("updated_at").string(domain::to_rfc3339(c.updated_at))
        .end_object();
    out.key("whatsapp").begin_object().key("wa_id").string(c.wa_id).key("profile_name").string(info.profile_name);
    write_time(out.key("last_inbound_at"), c.last_inbound_at);
    out.key("free_window").begin_object().key("open").boolean(info.free_window.open);
    write_time(out.key("expires_at"), info.free_window.expires_at);
    out.end_object().end_object();
    out.key("source").string(info.live ? "live" : "stored").key("stale").boolean(info.stale).end_object();
    return http::json_text_response(Status::ok, out.take());
}

}  // namespace

void register_contact_routes(http::Router& router, services::ContactService& contacts) {
    router.add(http::Verb::get, "/contacts/{contact_id}/whatsapp-info",
               [&contacts](Request& request) -> boost::asio::awaitable<Response> {
                   auto contact_id = path_uuid(request, "contact_id", "contact");
                   auto answer = co_await contacts.whatsapp_info(*request.user_id, std::move(contact_id));
                   co_return info_response(answer);
               });
}

}  // namespace inbox::api
