#pragma once
// What Meta posts back to a business's webhook after it accepted a message: the `sent` and `delivered` statuses
// of the wamid it returned (with the sender's `biz_opaque_callback_data`), and, for races in tests, an inbound
// message from the same customer. Pure: bodies and their signature, no I/O (webhook_poster.hpp sends them).
#include <optional>
#include <string>
#include <vector>

namespace fake_graph {

struct AcceptedSend {
    std::string phone_number_id;  // from the request path
    std::string to;               // the customer's wa_id (digits)
    std::string wamid;            // what the answer is about to return
    std::optional<std::string> callback_data;  // the request's biz_opaque_callback_data
    long long unix_seconds = 0;
};

// One `messages` change holding the two statuses (`sent` then `delivered`).
std::string status_webhook_body(const AcceptedSend& send);
// One change holding an inbound text from the customer (`inbound_wamid`) and both statuses: a delivery that makes
// webhook processing take the conversation's lock and the wamid's in one transaction.
std::string inbound_and_status_webhook_body(const AcceptedSend& send, const std::string& inbound_wamid);

// "sha256=<hex>" of the body under `app_secret`, as Meta's X-Hub-Signature-256.
std::string webhook_signature(const std::string& body, const std::string& app_secret);

}  // namespace fake_graph
