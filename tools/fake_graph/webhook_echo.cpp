#include "fake_graph/webhook_echo.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "fake_graph/media_bytes.hpp"

namespace fake_graph {
namespace {

using nlohmann::json;

json status_of(const AcceptedSend& send, const char* status) {
    json item{{"id", send.wamid},
              {"status", status},
              {"timestamp", std::to_string(send.unix_seconds)},
              {"recipient_id", send.to},
              {"conversation", {{"id", "fake-conversation-" + send.to}, {"origin", {{"type", "service"}}}}},
              {"pricing", {{"billable", true}, {"pricing_model", "CBP"}, {"category", "service"}}}};
    if (send.callback_data) item["biz_opaque_callback_data"] = *send.callback_data;
    return item;
}

std::string delivery(const AcceptedSend& send, json value) {
    value["messaging_product"] = "whatsapp";
    value["metadata"] = {{"display_phone_number", "15550000000"}, {"phone_number_id", send.phone_number_id}};
    json body{{"object", "whatsapp_business_account"},
              {"entry", json::array({{{"id", "fake-waba"},
                                      {"changes", json::array({{{"field", "messages"}, {"value", std::move(value)}}})}}})}};
    return body.dump();
}

}  // namespace

std::string status_webhook_body(const AcceptedSend& send) {
    return delivery(send, {{"statuses", json::array({status_of(send, "sent"), status_of(send, "delivered")})}});
}

std::string inbound_and_status_webhook_body(const AcceptedSend& send, const std::string& inbound_wamid) {
    json message{{"from", send.to},
                 {"id", inbound_wamid},
                 {"timestamp", std::to_string(send.unix_seconds)},
                 {"type", "text"},
                 {"text", {{"body", "reply while you were sending"}}}};
    return delivery(send, {{"contacts", json::array({{{"profile", {{"name", "Customer " + send.to}}}, {"wa_id", send.to}}})},
                           {"messages", json::array({std::move(message)})},
                           {"statuses", json::array({status_of(send, "sent"), status_of(send, "delivered")})}});
}

std::string webhook_signature(const std::string& body, const std::string& app_secret) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), app_secret.data(), static_cast<int>(app_secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
    return "sha256=" + to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace fake_graph
