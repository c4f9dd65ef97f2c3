#include "inbox/http/sse_format.hpp"

namespace inbox::http {

std::string sse_event(std::string_view type, const nlohmann::json& data) {
    std::string out = "event: ";
    out += type;
    out += "\ndata: ";
    out += data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += "\n\n";
    return out;
}

std::string sse_comment(std::string_view text) {
    std::string out = ": ";
    out += text;
    out += "\n\n";
    return out;
}

}  // namespace inbox::http
