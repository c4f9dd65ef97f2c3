#pragma once
// A stored message as the message list shows it (API.md "Objects").
#include <cstdint>
#include <optional>
#include <string>

#include "inbox/domain/account.hpp"
#include "inbox/domain/time.hpp"

namespace inbox::domain {

// What a quoted block shows of the message a reply answers.
struct ReplyPreview {
    std::string type;                 // the target's type: text, image, template...
    std::optional<std::string> text;  // its text or caption, its first 200 characters; none for a bare media
};

struct ReplyTo {
    std::string wa_message_id;              // Meta's context.id
    std::optional<std::string> message_id;  // our message with that wamid, when we have it
    std::optional<ReplyPreview> preview;    // with message_id: what the target says
};

struct MessageMedia {
    std::optional<std::string> mime_type;
    std::optional<std::string> sha256;
    std::optional<std::int64_t> file_size;
    std::optional<std::string> filename;
    std::string state;  // pending | stored | failed | expired
};

struct Message {
    std::string id;
    std::string conversation_id;
    std::optional<std::string> wa_message_id;  // null while an outbound message is pending
    std::string direction;                     // inbound | outbound
    std::string type;
    std::optional<std::string> text;
    std::string status;
    TimePoint timestamp;
    TimePoint created_at;
    std::optional<ReplyTo> reply_to;
    std::optional<std::string> author_user_id;  // who sent it (outbound); none for inbound and the sweeper's sends
    std::optional<std::string> error_json;  // as stored ({"code","title","details"}), empty when Meta reported none
    std::optional<TemplateRef> template_ref;
    std::optional<MessageMedia> media;
    std::string content_json = "{}";  // the type-specific object as stored (jsonb text), "{}" when there is none
    // Each side's current reaction, [{"emoji", "direction", "user_id", "at"}] as stored (jsonb text).
    std::string reactions_json = "[]";
};

}  // namespace inbox::domain
