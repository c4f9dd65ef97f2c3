// POST /{version}/{phone-number-id}/media: Meta's media upload, multipart/form-data with messaging_product=whatsapp,
// type=<MIME type> and the file part. Answers {"id": "<media id>"}; the request is recorded as a summary (fields,
// size and SHA-256 of the file) rather than its bytes.
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "fake_graph/endpoints.hpp"
#include "fake_graph/media_bytes.hpp"
#include "fake_graph/state.hpp"

namespace fake_graph {
namespace {

using nlohmann::json;

struct Part {
    std::string name;
    std::optional<std::string> filename;
    std::string content_type;
    std::string_view content;
};

std::optional<std::string> parameter(std::string_view header, std::string_view name) {
    const auto key = std::string(name) + "=";
    auto at = header.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    auto value = header.substr(at + key.size());
    if (!value.empty() && value.front() == '"') {
        auto end = value.find('"', 1);
        if (end == std::string_view::npos) return std::nullopt;
        return std::string(value.substr(1, end - 1));
    }
    return std::string(value.substr(0, value.find(';')));
}

// The parts of a multipart/form-data body; nullopt when it is not one.
std::optional<std::vector<Part>> multipart_parts(const Request& request) {
    if (!request.content_type.starts_with("multipart/form-data")) return std::nullopt;
    const auto boundary = parameter(request.content_type, "boundary");
    if (!boundary || boundary->empty()) return std::nullopt;
    const std::string delimiter = "--" + *boundary;
    std::string_view body = request.body;
    std::vector<Part> parts;
    auto at = body.find(delimiter);
    while (at != std::string_view::npos) {
        auto start = at + delimiter.size();
        if (body.substr(start, 2) == "--") return parts;  // the closing delimiter
        if (body.substr(start, 2) != "\r\n") return std::nullopt;
        start += 2;
        const auto headers_end = body.find("\r\n\r\n", start);
        if (headers_end == std::string_view::npos) return std::nullopt;
        const auto next = body.find("\r\n" + delimiter, headers_end + 4);
        if (next == std::string_view::npos) return std::nullopt;
        Part part;
        const auto headers = body.substr(start, headers_end - start);
        std::size_t line_start = 0;
        while (line_start < headers.size()) {
            auto line_end = headers.find("\r\n", line_start);
            auto line = headers.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                                     : line_end - line_start);
            if (line.starts_with("Content-Disposition:")) {
                part.name = parameter(line, "name").value_or("");
                if (line.find("filename=") != std::string_view::npos) part.filename = parameter(line, "filename");
            } else if (line.starts_with("Content-Type:")) {
                part.content_type = std::string(line.substr(13));
                while (!part.content_type.empty() && part.content_type.front() == ' ') part.content_type.erase(0, 1);
            }
            if (line_end == std::string_view::npos) break;
            line_start = line_end + 2;
        }
        part.content = body.substr(headers_end + 4, next - headers_end - 4);
        parts.push_back(std::move(part));
        at = next + 2;
    }
    return std::nullopt;
}

const Part* find_part(const std::vector<Part>& parts, std::string_view name) {
    for (const auto& part : parts) {
        if (part.name == name) return &part;
    }
    return nullptr;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

Reply invalid(std::string details) {
    auto error = graph_error_for(100);
    error.details = std::move(details);
    return error_reply(error);
}

}  // namespace

std::string media_upload_summary(const Request& request) {
    const auto parts = multipart_parts(request);
    if (!parts) return json{{"multipart", false}}.dump();
    json summary{{"multipart", true}};
    for (const auto& part : *parts) {
        if (part.filename) {
            summary[part.name] = {{"filename", *part.filename},
                                  {"content_type", part.content_type},
                                  {"size", part.content.size()},
                                  {"sha256", sha256_hex(part.content)}};
        } else {
            summary[part.name] = std::string(part.content);
        }
    }
    return summary.dump();
}

Reply upload_media(const EndpointContext& ctx) {
    const auto parts = multipart_parts(ctx.request);
    if (!parts) return invalid("The request must be multipart/form-data");
    const auto* product = find_part(*parts, "messaging_product");
    if (!product || product->content != "whatsapp") {
        return invalid("The parameter messaging_product is required and must be 'whatsapp'");
    }
    const auto* type = find_part(*parts, "type");
    if (!type || type->content.empty()) return invalid("The parameter type is required");
    const auto* file = find_part(*parts, "file");
    if (!file || !file->filename || file->content.empty()) return invalid("The parameter file is required");
    return json_reply(200, {{"id", ctx.state.next_media_id()}});
}

}  // namespace fake_graph
