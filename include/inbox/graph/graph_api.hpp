#pragma once
// The WhatsApp Cloud API calls the services make, as an interface so service tests can substitute them.
// GraphClient is the real implementation. Access tokens are arguments, never logged.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inbox/graph/graph_result.hpp"
#include "inbox/graph/graph_types.hpp"

namespace inbox::graph {

class GraphApi {
public:
    virtual ~GraphApi() = default;

    // Family `messages`.
    virtual boost::asio::awaitable<GraphResult<SentMessage>> send_text(std::string phone_number_id,
                                                                       std::string access_token,
                                                                       MessageEnvelope envelope, std::string text) = 0;
    virtual boost::asio::awaitable<GraphResult<SentMessage>> send_template(std::string phone_number_id,
                                                                           std::string access_token,
                                                                           MessageEnvelope envelope,
                                                                           OutboundTemplate outbound) = 0;
    virtual boost::asio::awaitable<GraphResult<SentMessage>> send_media(std::string phone_number_id,
                                                                        std::string access_token,
                                                                        MessageEnvelope envelope,
                                                                        OutboundMedia media) = 0;

    // `{"type": "reaction", "reaction": {"message_id": target_wamid, "emoji"}}`; "" removes our reaction.
    virtual boost::asio::awaitable<GraphResult<SentMessage>> send_reaction(std::string phone_number_id,
                                                                           std::string access_token,
                                                                           MessageEnvelope envelope,
                                                                           std::string target_wamid,
                                                                           std::string emoji) = 0;

    // `{"messaging_product": "whatsapp", "status": "read", "message_id", "typing_indicator"?: {"type": "text"}}`.
    virtual boost::asio::awaitable<GraphResult<ReadMarked>> mark_read(std::string phone_number_id,
                                                                      std::string access_token,
                                                                      std::string wa_message_id, bool typing) = 0;

    // Family `media`. Uploads a file for the number's sends (multipart: messaging_product, type, file).
    virtual boost::asio::awaitable<GraphResult<UploadedMedia>> upload_media(std::string phone_number_id,
                                                                            std::string access_token,
                                                                            MediaFile file) = 0;
    // An expired media id answers refused() with object_missing() (result.expired()).
    virtual boost::asio::awaitable<GraphResult<MediaMeta>> get_media_meta(std::string media_id,
                                                                          std::string access_token) = 0;
    // Streams to `path` (no file is left on failure). A URL whose host is not in the allow-list is refused
    // without any call (code 0, title "media host not allowed"); a body over max_bytes is refused too
    // ("media too large").
    virtual boost::asio::awaitable<GraphResult<MediaDownload>> download_media(std::string url, std::string access_token,
                                                                              std::string path,
                                                                              std::uint64_t max_bytes) = 0;

    // Family `templates`. Walks every page.
    virtual boost::asio::awaitable<GraphResult<std::vector<MessageTemplate>>> list_templates(
        std::string waba_id, std::string access_token) = 0;
    virtual boost::asio::awaitable<GraphResult<CreatedTemplate>> create_template(std::string waba_id,
                                                                                 std::string access_token,
                                                                                 std::string name, std::string language,
                                                                                 std::string category,
                                                                                 std::string body_text) = 0;

    // Family `contacts`: the optional upstream lookup (WHATSAPP_CONTACT_LOOKUP_URL), with a short timeout.
    // `access_token` may be empty (no Authorization header then).
    virtual boost::asio::awaitable<GraphResult<ContactProfile>> lookup_contact(std::string url_template,
                                                                               std::string wa_id,
                                                                               std::string access_token) = 0;
};

}  // namespace inbox::graph
