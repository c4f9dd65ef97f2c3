#pragma once
// One WhatsApp Cloud API webhook delivery (`object` → `entry[]` → `changes[]` → `value`) turned into plain structs.
// Every element of every array is visited; an element that cannot be understood becomes an IgnoredChange with the
// reason, and the rest of the delivery is still processed. Nothing here looks anything up: an unknown
// phone_number_id still yields an AccountChange, the account lookup that follows is what fails.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "inbox/domain/message_error.hpp"
#include "inbox/domain/message_status.hpp"
#include "inbox/domain/time.hpp"

namespace inbox::domain {

struct InboundContact {
    std::string wa_id;
    std::optional<std::string> profile_name;  // `profile.name`
};

// The media of an image, audio, video, document or sticker message. The id is valid at Meta for 7 days.
struct MediaRef {
    std::string media_id;
    std::string mime_type;                // empty when Meta sent none
    std::optional<std::string> sha256;    // as sent (hex or base64); downloads check the metadata's
    std::optional<std::string> filename;  // documents
    bool voice = false;                   // audio recorded as a voice note
};

struct InboundMessage {
    std::string wa_message_id;  // `id`, the wamid
    std::string from;           // the sender's wa_id
    TimePoint timestamp;        // Meta's `timestamp`, not our arrival time
    std::string type;           // the WhatsApp type as sent (`text`, `image`, ... `unsupported`)
    // Text body, media caption, interactive reply title, button text; null for location, reaction, contacts,
    // sticker, unsupported, and media without caption.
    std::optional<std::string> text;
    // The type-specific object as received (`location`, `reaction`, `interactive`, `button`, the media object...);
    // `contacts` arrives as an array and is wrapped as {"contacts": [...]}; `{}` when there is nothing more.
    nlohmann::json content = nlohmann::json::object();
    std::optional<std::string> reply_to_wa_message_id;  // `context.id`
    std::optional<MediaRef> media;
    std::optional<MessageError> error;  // `errors[0]`, e.g. for `unsupported`
    std::string preview;                // for the conversation list, see message_preview()
};

struct StatusUpdate {
    std::string wa_message_id;                   // the outbound message's wamid
    MessageStatus status = MessageStatus::sent;  // sent, delivered, read or failed
    TimePoint timestamp;
    std::string recipient_id;           // empty when Meta sent none
    std::optional<MessageError> error;  // `errors[0]`, sent with `failed`
    // `biz_opaque_callback_data` as the sender set it: for our sends, our message id (a status whose wamid is not
    // recorded yet still finds its message by it).
    std::optional<std::string> callback_data;
};

// A `messages` change: everything one business number received in one change.
struct AccountChange {
    std::string phone_number_id;       // `metadata.phone_number_id`: how the account is found
    std::string display_phone_number;  // empty when Meta sent none
    std::string waba_id;               // `entry[].id`
    std::vector<InboundContact> contacts;
    std::vector<InboundMessage> messages;
    std::vector<StatusUpdate> statuses;
};

// A `message_template_status_update` change.
struct TemplateStatusChange {
    std::string waba_id;              // `entry[].id`
    std::string message_template_id;  // Meta sends a number; kept as its decimal text
    std::string name;
    std::string language;
    std::string event;  // APPROVED, REJECTED, PENDING_DELETION, DISABLED, PAUSED...
    std::optional<std::string> reason;
};

// Something the delivery held that we do not handle (another `object` or `field`) or could not understand; `reason`
// starts with where it was, e.g. `entry[0].changes[1].value.messages[2]: message without "id"`.
struct IgnoredChange {
    std::string reason;
};

struct NormalizedDelivery {
    std::vector<AccountChange> account_changes;
    std::vector<TemplateStatusChange> template_status_changes;
    std::vector<IgnoredChange> ignored;
};

// Never throws for malformed input (only on allocation failure). A body that is not a JSON object, or whose
// `object` is not `whatsapp_business_account`, yields a single IgnoredChange.
NormalizedDelivery normalize_webhook(const nlohmann::json& body);

}  // namespace inbox::domain
