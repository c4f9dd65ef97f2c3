#include "inbox/http/sse_format.hpp"

namespace inbox::http {

std::string sse_event(std::string_view type, std::string_view json) {
    std::string out = "event: ";
    out += type;
    out += "\ndata: ";
    out += json;
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
