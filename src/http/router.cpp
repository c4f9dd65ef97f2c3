#include "inbox/http/router.hpp"

#include <boost/url/grammar/parse.hpp>
#include <boost/url/parse_path.hpp>

#include <stdexcept>

namespace inbox::http {
namespace {

std::vector<std::string> split_template(std::string_view path_template) {
    std::vector<std::string> segments;
    std::size_t start = 1;
    while (start <= path_template.size()) {
        auto end = path_template.find('/', start);
        if (end == std::string_view::npos) end = path_template.size();
        segments.emplace_back(path_template.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

bool is_parameter(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(Verb method, std::string_view path_template, Handler handler, RouteOptions options) {
    if (path_template.empty() || path_template.front() != '/') {
        throw std::invalid_argument("route template must start with '/': " + std::string(path_template));
    }
    routes_.push_back(Route{method, std::string(path_template), split_template(path_template), std::move(handler),
                            options});
}

RouteMatch Router::match(Verb method, std::string_view path) const {
    RouteMatch result;
    auto parsed = boost::urls::parse_path(path);
    if (!parsed || path.empty() || path.front() != '/') return result;
    std::vector<std::string> segments;
    for (auto segment : *parsed) segments.push_back(segment.decode());  // percent-decoded
    if (segments.empty()) segments.emplace_back();                         // "/" is one empty segment

    const auto allow = [&result](Verb verb) {
        auto name = std::string(beast_http::to_string(verb));
        if (result.allow.find(name) == std::string::npos) {
            result.allow += result.allow.empty() ? name : ", " + name;
        }
    };
    // HEAD is GET without the body (RFC 9110 9.3.2): a path with a GET route answers HEAD through it, unless it
    // has a HEAD route of its own. The server drops the body and keeps its Content-Length.
    const Route* get_for_head = nullptr;
    PathParams get_for_head_params;
    for (const auto& route : routes_) {
        if (route.segments.size() != segments.size()) continue;
        PathParams params;
        bool matches = true;
        for (std::size_t i = 0; i < segments.size() && matches; ++i) {
            if (is_parameter(route.segments[i])) {
                if (segments[i].empty()) matches = false;
                else params.emplace_back(route.segments[i].substr(1, route.segments[i].size() - 2), segments[i]);
            } else {
                matches = route.segments[i] == segments[i];
            }
        }
        if (!matches) continue;
        if (route.method == method) {
            result.kind = RouteMatch::Kind::found;
            result.route = &route;
            result.params = std::move(params);
            result.allow.clear();
            return result;
        }
        if (method == Verb::head && route.method == Verb::get && !get_for_head) {
            get_for_head = &route;
            get_for_head_params = std::move(params);
        }
        result.kind = RouteMatch::Kind::method_not_allowed;
        allow(route.method);
        if (route.method == Verb::get) allow(Verb::head);
    }
    if (get_for_head) {
        result.kind = RouteMatch::Kind::found;
        result.route = get_for_head;
        result.params = std::move(get_for_head_params);
        result.allow.clear();
    }
    return result;
}

}  // namespace inbox::http
