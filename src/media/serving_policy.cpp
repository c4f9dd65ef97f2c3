#include "inbox/media/serving_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace inbox::media {
namespace {

constexpr std::array<std::string_view, 7> kInlineTypes{"image/jpeg", "image/png", "image/webp", "image/gif",
                                                       "video/mp4",  "video/3gp", "video/3gpp"};

constexpr std::array<std::string_view, 8> kDocumentTypes{
    "application/pdf",
    "text/plain",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation"};

bool served_inline(std::string_view essence) {
    if (essence.starts_with("audio/")) return essence.size() > 6;
    return std::find(kInlineTypes.begin(), kInlineTypes.end(), essence) != kInlineTypes.end();
}

// A file name safe in a quoted header value: no path, no control characters, quotes or backslashes; non-ASCII
// bytes become '_' (the exact name travels in filename*).
std::string ascii_fallback(std::string_view name) {
    std::string safe;
    for (const unsigned char c : name) {
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c >= 0x80) safe.push_back('_');
        else safe.push_back(static_cast<char>(c));
    }
    return safe;
}

// RFC 8187 value: attr-chars kept, every other byte percent-encoded.
std::string rfc8187(std::string_view name) {
    constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string encoded;
    for (const unsigned char c : name) {
        if (std::isalnum(c) || c == '!' || c == '#' || c == '$' || c == '&' || c == '+' || c == '-' || c == '.' ||
            c == '^' || c == '_' || c == '`' || c == '|' || c == '~') {
            encoded.push_back(static_cast<char>(c));
        } else {
            encoded.push_back('%');
            encoded.push_back(kHex[c >> 4]);
            encoded.push_back(kHex[c & 0x0f]);
        }
    }
    return encoded;
}

// The last path segment, at most 200 bytes: a sender's "../../x" or "C:\\x" is only a name.
std::string base_name(std::string_view name) {
    const auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    return std::string(name.substr(0, 200));
}

}  // namespace

std::string essence_of(std::string_view mime_type) {
    auto end = mime_type.find(';');
    auto essence = mime_type.substr(0, end);
    while (!essence.empty() && std::isspace(static_cast<unsigned char>(essence.back()))) essence.remove_suffix(1);
    while (!essence.empty() && std::isspace(static_cast<unsigned char>(essence.front()))) essence.remove_prefix(1);
    std::string lower(essence);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower;
}

bool is_upload_document_type(std::string_view essence) {
    return std::find(kDocumentTypes.begin(), kDocumentTypes.end(), essence) != kDocumentTypes.end();
}

ServingPolicy serving_policy(std::string_view mime_type, const std::optional<std::string>& filename) {
    const auto essence = essence_of(mime_type);
    if (served_inline(essence)) return {std::string(mime_type), "inline"};
    ServingPolicy policy{is_upload_document_type(essence) ? essence : "application/octet-stream", "attachment"};
    if (filename) {
        const auto name = base_name(*filename);
        if (!name.empty()) {
            policy.content_disposition += "; filename=\"" + ascii_fallback(name) + "\"; filename*=UTF-8''" + rfc8187(name);
        }
    }
    return policy;
}

}  // namespace inbox::media
