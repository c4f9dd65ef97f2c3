// The input is a request target ("/path?query"), as hostile as any client can send: routed with the application's
// table under several methods, its query parameters read as the handlers read them, and the api parsers run on
// its values and on the raw text itself.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "inbox/http/types.hpp"
#include "support/request_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using inbox::http::Verb;
    const std::string_view target(reinterpret_cast<const char*>(data), size);

    inbox::http::Request request;
    request.message.target(target);
    for (const auto method : std::array{Verb::get, Verb::head, Verb::post, Verb::delete_}) {
        request.message.method(method);
        inbox::fuzz::check_routing(request);
    }
    inbox::fuzz::check_query_parameters(request);
    inbox::fuzz::check_parameter_text(target);
    return 0;
}
