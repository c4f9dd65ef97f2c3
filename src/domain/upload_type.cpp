#include "inbox/domain/upload_type.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace inbox::domain {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kKiB = 1024;

struct KnownType {
    std::string_view mime_type;
    MediaKind kind;
    std::uint64_t max_bytes;
};

constexpr std::array kKnownTypes{
    KnownType{"image/jpeg", MediaKind::image, 5 * kMiB},
    KnownType{"image/png", MediaKind::image, 5 * kMiB},
    KnownType{"video/mp4", MediaKind::video, 16 * kMiB},
    KnownType{"video/3gp", MediaKind::video, 16 * kMiB},
    KnownType{"audio/aac", MediaKind::audio, 16 * kMiB},
    KnownType{"audio/amr", MediaKind::audio, 16 * kMiB},
    KnownType{"audio/mpeg", MediaKind::audio, 16 * kMiB},
    KnownType{"audio/mp4", MediaKind::audio, 16 * kMiB},
    KnownType{"audio/ogg", MediaKind::audio, 16 * kMiB},
    KnownType{"image/webp", MediaKind::sticker, 500 * kKiB},
    KnownType{"application/pdf", MediaKind::document, 100 * kMiB},
    KnownType{"text/plain", MediaKind::document, 100 * kMiB},
    KnownType{"application/msword", MediaKind::document, 100 * kMiB},
    KnownType{"application/vnd.ms-excel", MediaKind::document, 100 * kMiB},
    KnownType{"application/vnd.ms-powerpoint", MediaKind::document, 100 * kMiB},
    KnownType{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", MediaKind::document,
              100 * kMiB},
    KnownType{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", MediaKind::document, 100 * kMiB},
    KnownType{"application/vnd.openxmlformats-officedocument.presentationml.presentation", MediaKind::document,
              100 * kMiB},
};

constexpr std::uint64_t kStaticStickerBytes = 100 * kKiB;

bool starts_with(std::string_view head, std::string_view prefix, std::size_t at = 0) {
    return head.size() >= at + prefix.size() && head.substr(at, prefix.size()) == prefix;
}

std::uint8_t byte_at(std::string_view head, std::size_t at) {
    return at < head.size() ? static_cast<std::uint8_t>(head[at]) : 0;
}

// An MPEG audio frame header: 11 sync bits, then a layer that is not "reserved".
bool mpeg_frame(std::string_view head) {
    return byte_at(head, 0) == 0xFF && (byte_at(head, 1) & 0xE0) == 0xE0 && (byte_at(head, 1) & 0x06) != 0;
}

// ADTS (AAC's stream format): 12 sync bits and layer 0.
bool adts_frame(std::string_view head) {
    return byte_at(head, 0) == 0xFF && (byte_at(head, 1) & 0xF6) == 0xF0;
}

// An animated WebP is the extended format (VP8X) with the animation flag set.
bool animated_webp(std::string_view head) {
    return starts_with(head, "VP8X", 12) && (byte_at(head, 20) & 0x02) != 0;
}

std::string lower_without_parameters(std::string_view content_type) {
    auto end = content_type.find(';');
    auto value = content_type.substr(0, end);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    std::string lowered(value);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lowered;
}

}  // namespace

std::string_view to_string(MediaKind kind) {
    switch (kind) {
        case MediaKind::image: return "image";
        case MediaKind::video: return "video";
        case MediaKind::audio: return "audio";
        case MediaKind::document: return "document";
        case MediaKind::sticker: return "sticker";
    }
    return "document";
}

std::optional<UploadType> upload_type(std::string_view content_type) {
    auto mime = lower_without_parameters(content_type);
    if (mime == "video/3gpp") mime = "video/3gp";
    for (const auto& known : kKnownTypes) {
        if (known.mime_type == mime) return UploadType{std::string(known.mime_type), known.kind, known.max_bytes};
    }
    return std::nullopt;
}

MagicVerdict check_magic(const UploadType& type, std::string_view head) {
    const auto& mime = type.mime_type;
    bool ok = false;
    if (mime == "image/jpeg") {
        ok = starts_with(head, "\xFF\xD8\xFF");
    } else if (mime == "image/png") {
        ok = starts_with(head, "\x89PNG\r\n\x1A\n");
    } else if (mime == "image/webp") {
        ok = starts_with(head, "RIFF") && starts_with(head, "WEBP", 8);
    } else if (mime == "video/mp4" || mime == "video/3gp" || mime == "audio/mp4") {
        ok = starts_with(head, "ftyp", 4);
    } else if (mime == "audio/ogg") {
        // Opus only: the first Ogg page carries the OpusHead packet (a 27-byte header plus one lacing byte).
        ok = starts_with(head, "OggS") && head.substr(0, kMagicBytes).find("OpusHead") != std::string_view::npos;
    } else if (mime == "audio/mpeg") {
        ok = starts_with(head, "ID3") || mpeg_frame(head);
    } else if (mime == "audio/aac") {
        ok = starts_with(head, "ADIF") || adts_frame(head);
    } else if (mime == "audio/amr") {
        ok = starts_with(head, "#!AMR");
    } else if (mime == "application/pdf") {
        ok = starts_with(head, "%PDF");
    } else if (mime == "text/plain") {
        ok = !head.empty() && head.substr(0, kMagicBytes).find('\0') == std::string_view::npos;
    } else if (mime == "application/msword" || mime == "application/vnd.ms-excel" ||
               mime == "application/vnd.ms-powerpoint") {
        ok = starts_with(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    } else if (mime.starts_with("application/vnd.openxmlformats-officedocument.")) {
        ok = starts_with(head, std::string_view("PK\x03\x04", 4));
    }
    return ok ? MagicVerdict::matches : MagicVerdict::mismatch;
}

std::uint64_t max_bytes_for(const UploadType& type, std::string_view head) {
    if (type.kind == MediaKind::sticker && !animated_webp(head)) return kStaticStickerBytes;
    return type.max_bytes;
}

std::string filename_problem(std::string_view name) {
    if (name.empty() || name.size() > 255) return "filename must be 1-255 bytes";
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7F || c == '/' || c == '\\') {
            return "filename must not contain control characters, '/' or '\\'";
        }
    }
    try {
        (void)nlohmann::json(name).dump();  // strict: throws on bytes that are not UTF-8
    } catch (const nlohmann::json::exception&) {
        return "filename must be UTF-8";
    }
    return {};
}

}  // namespace inbox::domain
