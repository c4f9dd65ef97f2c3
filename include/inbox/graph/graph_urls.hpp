#pragma once
// Building the Graph API URLs we call, and the media-host allow-list check. Pure; path segments and query values
// are percent-encoded, so ids coming from webhooks cannot change the shape of a URL.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace inbox::graph {

// `base` is an absolute http(s) URL, optionally with a path prefix ("https://graph.facebook.com",
// "http://127.0.0.1:8080/graph"); trailing slashes are ignored. Throw std::invalid_argument on a bad base.
std::string messages_url(std::string_view base, std::string_view version, std::string_view phone_number_id);
std::string media_upload_url(std::string_view base, std::string_view version, std::string_view phone_number_id);
std::string media_meta_url(std::string_view base, std::string_view version, std::string_view media_id);
// `after` empty → the first page; `limit` 0 → Graph's default.
std::string templates_url(std::string_view base, std::string_view version, std::string_view waba_id,
                          std::string_view after = {}, std::size_t limit = 0);

// `url_template` contains `{wa_id}` (replaced by the encoded id) or is a prefix the id is appended to as a path
// segment ("https://lookup.example/contacts" → ".../contacts/<wa_id>").
std::string contact_lookup_url(std::string_view url_template, std::string_view wa_id);

// True when `url` is an absolute http(s) URL whose host equals one of `allowed_hosts` (case-insensitive). An entry
// "*.example.com" allows every subdomain of example.com (not example.com itself).
bool host_allowed(std::string_view url, const std::vector<std::string>& allowed_hosts);

}  // namespace inbox::graph
