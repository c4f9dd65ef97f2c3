#pragma once
// The JSON we send to and read from the Graph API. Pure: builders return request bodies, parsers return nullopt
// when a 2xx body does not have the shape we need (the caller treats that as a bad upstream answer).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inbox/graph/graph_types.hpp"
#include "inbox/graph/http_client.hpp"

namespace inbox::graph {

std::string text_message_body(const MessageEnvelope& envelope, std::string_view text);
// `{"type": "template", "template": {"name", "language": {"code"}, "components"?}}`: a header's media by id, a
// button's index as a string (as Meta documents it).
std::string template_message_body(const MessageEnvelope& envelope, const OutboundTemplate& outbound);
// A template with one BODY component; Meta wants an example value per {{n}} placeholder.
std::string template_creation_body(std::string_view name, std::string_view language, std::string_view category,
                                   std::string_view body_text);

std::optional<SentMessage> parse_sent_message(std::string_view body);
// {"id": "..."} of a media upload.
std::optional<UploadedMedia> parse_uploaded_media(std::string_view body);

// `{"type": "reaction", "reaction": {"message_id", "emoji"}}` with the envelope ("" removes the reaction).
std::string reaction_message_body(const MessageEnvelope& envelope, std::string_view target_wamid,
                                  std::string_view emoji);

// A read receipt for `wa_message_id` (and the messages before it), with a typing indicator when `typing`.
std::string read_receipt_body(std::string_view wa_message_id, bool typing);
// {"success": true}; nullopt for anything else.
std::optional<ReadMarked> parse_read_marked(std::string_view body);

// `{"type": kind, kind: {"id", "caption"?, "filename"?}}` with the envelope.
std::string media_message_body(const MessageEnvelope& envelope, const OutboundMedia& media);
// The multipart/form-data body of a media upload as Meta documents it (messaging_product, type, file), with the
// file's bytes between its prefix and suffix (HttpRequest::file_body).
FileBodyPart media_upload_body(std::string_view boundary, const MediaFile& file);
std::optional<MediaMeta> parse_media_meta(std::string_view body);
std::optional<CreatedTemplate> parse_created_template(std::string_view body);
std::optional<ContactProfile> parse_contact_profile(std::string_view body);

struct TemplatePage {
    std::vector<MessageTemplate> templates;
    std::string next_after;  // the `after` cursor when `paging.next` says there is more; empty on the last page
};
std::optional<TemplatePage> parse_template_page(std::string_view body);

}  // namespace inbox::graph
