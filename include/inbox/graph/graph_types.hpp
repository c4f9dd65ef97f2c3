#pragma once
// What the Graph calls answer, once parsed: plain data, no JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace inbox::graph {

// Who a message goes to, and what rides along with any kind of message sent.
struct MessageEnvelope {
    std::string to;                            // the customer's number
    std::optional<std::string> reply_to;       // `context.message_id`: the wamid this message answers
    std::optional<std::string> callback_data;  // `biz_opaque_callback_data`: Meta echoes it in the status webhooks
};

struct SentMessage {
    std::string wamid;
};

// A read receipt (with or without a typing indicator) Meta took: it answers {"success": true}.
struct ReadMarked {};

// POST /{phone-number-id}/media: Meta's id for uploaded bytes, usable in sends from that number for 30 days.
struct UploadedMedia {
    std::string id;
};

// A file of the media store to upload (multipart, streamed from `path`).
struct MediaFile {
    std::string path;
    std::uint64_t size = 0;
    std::string mime_type;
    std::string filename;  // the multipart part's filename (never empty)
};

// A media message by uploaded id: `kind` is image, video, audio, document or sticker.
struct OutboundMedia {
    std::string kind;
    std::string media_id;
    std::optional<std::string> caption;   // not for audio and stickers
    std::optional<std::string> filename;  // documents
};

// GET /{media-id}. The URL lives ~5 minutes and needs the same bearer token.
struct MediaMeta {
    std::string id;
    std::string url;
    std::string mime_type;
    std::string sha256;  // as Meta sent it: hex or base64 (see auth::decode_sha256_digest)
    std::uint64_t file_size = 0;
};

// A completed download_media: the file at the requested path holds exactly these bytes.
struct MediaDownload {
    std::uint64_t bytes = 0;
    std::string sha256_hex;  // of the bytes written, lower-case
    std::string content_type;
};

struct MessageTemplate {
    std::string id;
    std::string name;
    std::string language;
    std::string status;       // APPROVED, PENDING, REJECTED, ...
    std::string category;     // MARKETING, UTILITY, AUTHENTICATION
    std::string body_text;    // the BODY component's text, empty when none
    int parameter_count = 0;  // distinct {{n}} placeholders in body_text
    std::string components_json;  // Meta's `components` array as listed (JSON text), "" when it sent none
};

// One parameter of a template send's component, as Meta takes it.
struct TemplateParameter {
    std::string type;   // "text", "image", "video", "document" or "coupon_code"
    std::string value;  // the text, the coupon code, or the media id
    std::optional<std::string> filename;  // a document header's
};

// One entry of a template send's `components`: the header, the body, or one button.
struct TemplateComponentValues {
    std::string type;                     // "header", "body" or "button"
    std::optional<std::string> sub_type;  // a button's: "url", "copy_code", "quick_reply"
    std::optional<int> index;             // a button's position in the template (sent as a string)
    std::vector<TemplateParameter> parameters;
};

struct OutboundTemplate {
    std::string name;
    std::string language;
    std::vector<TemplateComponentValues> components;  // none for a template without parameters
};

// A template whose only parameters are its body's text ones (the re-engagement template).
inline OutboundTemplate body_only_template(std::string name, std::string language,
                                           const std::vector<std::string>& body_parameters) {
    OutboundTemplate outbound{std::move(name), std::move(language), {}};
    if (body_parameters.empty()) return outbound;
    TemplateComponentValues body{"body", std::nullopt, std::nullopt, {}};
    for (const auto& value : body_parameters) body.parameters.push_back({"text", value, std::nullopt});
    outbound.components.push_back(std::move(body));
    return outbound;
}

struct CreatedTemplate {
    std::string id;
    std::string status;
    std::string category;
};

struct ContactProfile {
    std::string wa_id;
    std::string profile_name;
};

}  // namespace inbox::graph
