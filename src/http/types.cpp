#include "inbox/http/types.hpp"

#include <boost/url/parse.hpp>

namespace inbox::http {

std::string_view Request::path_param(std::string_view name) const {
    for (const auto& [key, value] : path_params) {
        if (key == name) return value;
    }
    return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
    auto parsed = boost::urls::parse_origin_form(message.target());
    if (!parsed) return std::nullopt;
    auto params = parsed->params();
    auto it = params.find(name);
    if (it == params.end()) return std::nullopt;
    auto param = *it;
    return param.has_value ? std::string(param.value) : std::string();
}

}  // namespace inbox::http
