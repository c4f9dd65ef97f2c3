#pragma once
// Routes by method and path template ("/conversations/{conversation_id}/messages"). Unknown path → not_found;
// known path with another method → method_not_allowed with the Allow list. HEAD is answered by a path's GET route
// unless the path has a HEAD route of its own (RFC 9110: GET and HEAD go together), and Allow lists it with GET.
#include "inbox/http/types.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace inbox::http {

inline constexpr std::size_t kApiBodyLimit = 1024 * 1024;
inline constexpr std::size_t kWebhookBodyLimit = 4 * 1024 * 1024;

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

struct RouteOptions {
    std::size_t body_limit = kApiBodyLimit;
    // The handler reads the body itself through Request::body_reader (uploads); body_limit still bounds it.
    bool streamed_body = false;
    bool requires_auth = true;
    bool token_in_query = false;  // accept ?access_token= (EventSource cannot set headers)
    bool sheddable = true;        // false: answered even under overload (health, readiness, metrics)
};

struct Route {
    Verb method;
    std::string path_template;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    Handler handler;
    RouteOptions options;
};

struct RouteMatch {
    enum class Kind { found, not_found, method_not_allowed };
    Kind kind = Kind::not_found;
    const Route* route = nullptr;
    PathParams params;
    std::string allow;  // for method_not_allowed: "GET, HEAD, POST"
};

class Router {
public:
    void add(Verb method, std::string_view path_template, Handler handler, RouteOptions options = {});
    // `path` is the raw path of the request target (no query); segments are percent-decoded before matching.
    RouteMatch match(Verb method, std::string_view path) const;
    const std::vector<Route>& routes() const noexcept { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace inbox::http
