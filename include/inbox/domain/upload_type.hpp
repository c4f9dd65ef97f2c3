#pragma once
// What WhatsApp accepts as outbound media (API.md Part 2, "Uploads and outbound media"): the MIME types, the kind
// each is sent as, its size limit, and the magic number its bytes must start with. Sizes are in MiB (Meta's "MB").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::domain {

enum class MediaKind { image, video, audio, document, sticker };

std::string_view to_string(MediaKind kind);

struct UploadType {
    std::string mime_type;  // normalised: lower case, no parameters; Meta's name (video/3gpp → video/3gp)
    MediaKind kind;
    std::uint64_t max_bytes;  // for a sticker, the animated limit; see max_bytes_for
};

// The upload type of a Content-Type header value (parameters and case ignored); nullopt when WhatsApp does not
// accept it (→ 415).
std::optional<UploadType> upload_type(std::string_view content_type);

// How many leading bytes check_magic needs to decide (fewer only when the whole file is shorter).
inline constexpr std::size_t kMagicBytes = 64;

enum class MagicVerdict { matches, mismatch };
// Whether the file's first bytes (`head`: its first kMagicBytes, or all of it when shorter) are the declared
// type's: JPEG FF D8 FF, PNG's signature, RIFF…WEBP, ftyp boxes for mp4/3gp, OggS with an OpusHead, ID3 or an MPEG
// frame, ADTS/ADIF, #!AMR, %PDF, the OLE2 compound file of the old Office types, a ZIP of the OOXML ones; plain
// text must not contain NUL bytes there.
MagicVerdict check_magic(const UploadType& type, std::string_view head);

// The size limit of this file: a static sticker (a WebP without animation) is limited to 100 KiB, an animated one
// to 500 KiB; every other type has its kind's limit.
std::uint64_t max_bytes_for(const UploadType& type, std::string_view head);

// A file name for an upload: 1-255 bytes of UTF-8 without control characters, '/' or '\'. Answers why not, or empty.
std::string filename_problem(std::string_view name);

}  // namespace inbox::domain
