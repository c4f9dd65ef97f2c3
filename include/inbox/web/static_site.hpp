#pragma once
// The web inbox's static files (WEB_DIR) and the OpenAPI document, read once at start-up and answered from memory:
// a handful of small files, so no disk I/O or path handling happens per request.
//   WEB_DIR/index.html  → "/"
//   WEB_DIR/app/<name>  → "/app/<name>"   (flat: only files directly in app/, names of [A-Za-z0-9._-], no dot first)
//   OPENAPI_FILE        → "/openapi.yaml"
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace inbox::web {

struct StaticFile {
    std::string body;
    std::string content_type;
    std::string etag;  // quoted strong validator: the first 32 hex digits of the body's SHA-256
};

// Content-Type by file extension; application/octet-stream for anything unknown (served with nosniff).
std::string_view content_type_for(std::string_view file_name) noexcept;
// True for the names /app/<name> may serve: [A-Za-z0-9._-], 1–128 characters, not starting with a dot.
bool is_servable_name(std::string_view name) noexcept;

class StaticSite {
public:
    StaticSite() = default;
    // Throws std::runtime_error naming the path when web_dir lacks index.html or a file cannot be read.
    static StaticSite load(const std::optional<std::filesystem::path>& web_dir,
                           const std::optional<std::filesystem::path>& openapi_file);

    // A URL path ("/", "/app/main.js", "/openapi.yaml") → the file, or nullptr.
    const StaticFile* find(std::string_view url_path) const;
    bool has_web() const noexcept { return files_.contains("/"); }
    bool has_openapi() const noexcept { return files_.contains("/openapi.yaml"); }
    std::size_t size() const noexcept { return files_.size(); }

private:
    void add(std::string url_path, const std::filesystem::path& file);

    std::map<std::string, StaticFile, std::less<>> files_;
};

}  // namespace inbox::web
