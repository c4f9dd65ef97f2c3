#include "inbox/api/web_routes.hpp"

#include "inbox/http/api_error.hpp"
#include "inbox/http/byte_range.hpp"
#include "inbox/http/router.hpp"
#include "inbox/web/static_site.hpp"

#include <string>

namespace inbox::api {
namespace {

using http::ApiError;
using http::Request;
using http::Response;
using http::Status;

// The page runs only our own files: no inline script or style, nothing from another origin, never framed.
// blob: images are media fetched with the bearer token and shown from memory.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

Response file_response(const Request& request, const web::StaticFile& file) {
    Response response;
    auto& message = response.message;
    message.set(http::Field::etag, file.etag);
    // No fingerprinted names (no build step): the browser revalidates every time and gets 304s while unchanged.
    message.set(http::Field::cache_control, "no-cache");
    message.set("Content-Security-Policy", kContentSecurityPolicy);
    message.set("X-Content-Type-Options", "nosniff");
    message.set("Referrer-Policy", "no-referrer");
    message.set(http::Field::x_frame_options, "DENY");
    if (http::etag_matches(request.header(http::Field::if_none_match), file.etag)) {
        message.result(Status::not_modified);
        return response;
    }
    message.result(Status::ok);
    message.set(http::Field::content_type, file.content_type);
    // HEAD: the server writes the header only, with the Content-Length of the body a GET would get.
    message.body() = file.body;
    return response;
}

Response serve(const Request& request, const web::StaticSite& site, std::string_view url_path) {
    const auto* file = site.find(url_path);
    if (!file) throw ApiError::not_found("no such file");
    return file_response(request, *file);
}

}  // namespace

void register_web_routes(http::Router& router, const web::StaticSite& site) {
    // Never shed: answered from memory at almost no cost, and a shed page leaves the agent with a browser error
    // instead of the inbox that would itself retry its API calls.
    const http::RouteOptions page{.requires_auth = false, .sheddable = false};
    if (site.has_web()) {
        router.add(
            http::Verb::get, "/",
            [&site](Request& request) -> boost::asio::awaitable<Response> { co_return serve(request, site, "/"); },
            page);
        router.add(
            http::Verb::get, "/app/{file}",
            [&site](Request& request) -> boost::asio::awaitable<Response> {
                const auto name = request.path_param("file");
                if (!web::is_servable_name(name)) throw ApiError::not_found("no such file");
                co_return serve(request, site, "/app/" + std::string(name));
            },
            page);
    }
    if (site.has_openapi()) {
        router.add(
            http::Verb::get, "/openapi.yaml",
            [&site](Request& request) -> boost::asio::awaitable<Response> {
                co_return serve(request, site, "/openapi.yaml");
            },
            page);
    }
}

}  // namespace inbox::api
