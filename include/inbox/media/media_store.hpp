#pragma once
// Downloaded media as content-addressed files under MEDIA_DIR: `<root>/<aa>/<sha256 hex>` (aa: its first two
// digits) with its MIME type beside it in `<...>.type`. A download goes to `<root>/tmp/` first and is renamed into
// place once verified (rename is atomic on one filesystem), so a partial or unverified file is never under a key.
// The key is the lower-case hex SHA-256 of the bytes: equal media share one file, and a key names its content.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "inbox/util/file_threads.hpp"
#include "inbox/util/open_file.hpp"

namespace inbox::media {

struct StoredMedia {
    OpenFile file;
    std::uint64_t size = 0;
    std::string mime_type;
};

class MediaStore {
public:
    // Creates `root` and `root/tmp` when missing; throws std::filesystem::filesystem_error when it cannot.
    // `file_threads`: where adopt_off_loop() does its flushing (none: inline, for tests and tools).
    explicit MediaStore(std::filesystem::path root, FileThreads* file_threads = nullptr);

    // A fresh path for a download, on the store's filesystem.
    std::string temp_path() const;
    // Moves a verified download into the store and answers its key. The bytes are flushed to disk before the
    // rename; if the key exists already (the same bytes), the temp file is dropped. Throws on I/O errors (a full
    // disk): the caller retries later, and the temp file is removed.
    // Then the directory is flushed too, so the name survives a crash with the bytes. Blocking: see adopt_off_loop.
    std::string adopt(const std::string& temp_path, const std::string& sha256_hex, const std::string& mime_type);
    // adopt() on the file threads, so its fsyncs never stall an I/O thread. Not a coroutine (GCC 12).
    boost::asio::awaitable<std::string> adopt_off_loop(std::string temp_path, std::string sha256_hex,
                                                       std::string mime_type);
    // nullopt for a malformed key or one not stored.
    std::optional<StoredMedia> open(std::string_view key) const;
    // Removes temp files last written before `cutoff` (downloads a crash left behind; a live one is written to
    // within its timeout) and answers how many. Blocking; never throws.
    std::size_t prune_temp_files(std::filesystem::file_time_type cutoff) const noexcept;
    // Removes a temp file (a failed or rejected download); never throws.
    static void discard(const std::string& temp_path) noexcept;

    // 64 lower-case hex digits: nothing else can name a file here (no path traversal).
    static bool valid_key(std::string_view key) noexcept;

    // Where the bytes of a valid key live (whether or not they are stored).
    std::filesystem::path path_of(std::string_view key) const;

private:

    std::filesystem::path root_;
    FileThreads* file_threads_;
};

}  // namespace inbox::media
