// Raw bytes of one client connection, read the way Server reads them (src/http/server.cpp, `serve_connection`),
// from memory instead of a socket: a fresh request_parser per request with an 8 KiB header limit and no body limit
// while the header is read, then the matched route's limit (Dispatcher::body_policy_for; a larger Content-Length is
// answered 413), the body, and the next pipelined request from the same buffer. Every complete request then gets its
// request id, its query parameters and its route checked as the dispatcher and the handlers take them.
// The bytes are served twice, in one piece and in small pieces as TCP may deliver them: what the server does with a
// connection must not depend on how its bytes were cut.
#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "inbox/http/dispatcher.hpp"
#include "inbox/http/request_id.hpp"
#include "inbox/http/types.hpp"
#include "inbox/observability/metrics.hpp"
#include "support/api_routes.hpp"
#include "support/check.hpp"
#include "support/request_checks.hpp"

namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace http = inbox::http;
namespace beast_http = beast::http;
using Parser = beast_http::request_parser<beast_http::string_body>;

constexpr std::size_t kHeaderLimit = 8 * 1024;  // as server.cpp

// A connection's bytes, delivered at most `piece` at a time, then the end of the stream.
class MemoryStream {
public:
    MemoryStream(std::string_view bytes, std::size_t piece) : bytes_(bytes), piece_(piece) {}

    std::size_t read_some(net::mutable_buffer into, beast::error_code& ec) {
        if (bytes_.empty()) {
            ec = net::error::eof;
            return 0;
        }
        const auto n = std::min({into.size(), piece_, bytes_.size()});
        std::memcpy(into.data(), bytes_.data(), n);
        bytes_.remove_prefix(n);
        return n;
    }

private:
    std::string_view bytes_;
    std::size_t piece_;
};

// beast::http::read_some (boost/beast/http/impl/read.hpp), the step under async_read_header and async_read.
void read_some(MemoryStream& stream, beast::flat_buffer& buffer, Parser& parser, beast::error_code& ec) {
    ec = {};
    if (buffer.size() > 0) {
        buffer.consume(parser.put(buffer.data(), ec));
        if (ec != beast_http::error::need_more) return;
    }
    for (;;) {
        ec = {};
        const auto got = stream.read_some(buffer.prepare(beast::read_size(buffer, 65536)), ec);
        buffer.commit(got);
        if (ec == net::error::eof) {
            if (!parser.got_some()) {
                ec = beast_http::error::end_of_stream;
                return;
            }
            ec = {};
            parser.put_eof(ec);
            return;
        }
        buffer.consume(parser.put(buffer.data(), ec));
        if (ec != beast_http::error::need_more) return;
    }
}

// async_read_header (eager off) or async_read (eager on): read_some until the header, or the message, is done.
void read(MemoryStream& stream, beast::flat_buffer& buffer, Parser& parser, bool header_only, beast::error_code& ec) {
    parser.eager(!header_only);
    ec = {};
    while (!(header_only ? parser.is_header_done() : parser.is_done())) {
        read_some(stream, buffer, parser, ec);
        if (ec) return;
    }
}

// How the connection ended, with the answer the server gives when there is one.
enum class Ending { closed, not_keep_alive, header_too_large, malformed, body_too_large };

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category() &&
           ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message;
}

// A complete request, in enough detail to tell two readings apart.
std::string describe(const http::BeastRequest& message) {
    std::string text = std::string(message.method_string()) + ' ' + std::string(message.target()) + " HTTP/" +
                       std::to_string(message.version());
    for (const auto& field : message) {
        text += '\n' + std::string(field.name_string()) + ": " + std::string(field.value());
    }
    return text + "\n\n" + message.body();
}

struct Transcript {
    std::vector<std::string> requests;
    Ending ending = Ending::closed;
};

// The same requests, ended the same way. One difference is Beast's and harmless: it checks a start line as soon as
// bytes arrive, but once it has asked for more it waits for the end of the header before looking again. So a
// malformed first line is answered 400 (or 431) when it came in one piece, and may only end at the end of the
// stream (closed, no answer) when it trickled in. Either way no request is dispatched and the connection closes.
bool same_outcome(const Transcript& a, const Transcript& b) {
    const auto refused = [](Ending ending) {
        return ending == Ending::closed || ending == Ending::malformed || ending == Ending::header_too_large;
    };
    return a.requests == b.requests && (a.ending == b.ending || (refused(a.ending) && refused(b.ending)));
}

void check_request_id(std::string_view incoming) {
    const auto id = http::accept_or_generate_request_id(incoming);
    INBOX_FUZZ_CHECK(http::is_acceptable_request_id(id));
    if (http::is_acceptable_request_id(incoming)) INBOX_FUZZ_CHECK(id == incoming);
}

const http::Dispatcher& dispatcher() {
    static inbox::observability::MetricsRegistry metrics;
    static const http::Dispatcher instance(
        inbox::fuzz::api_router(), [](std::string_view) { return std::nullopt; }, metrics);
    return instance;
}

Transcript serve(std::string_view bytes, std::size_t piece) {
    MemoryStream stream(bytes, piece);
    beast::flat_buffer buffer;
    Transcript transcript;
    for (;;) {
        beast::error_code ec;
        if (buffer.size() == 0) {  // the first byte of the next request, unless it came pipelined
            const auto got = stream.read_some(buffer.prepare(8192), ec);
            if (ec) return transcript;
            buffer.commit(got);
        }
        Parser parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(boost::none);
        read(stream, buffer, parser, /*header_only=*/true, ec);
        if (ec == beast_http::error::header_limit) {
            transcript.ending = Ending::header_too_large;
            return transcript;
        }
        if (ec) {
            if (is_parse_error(ec)) transcript.ending = Ending::malformed;
            return transcript;
        }
        INBOX_FUZZ_CHECK(parser.is_header_done());
        check_request_id(parser.get()["X-Request-Id"]);
        const auto limit = dispatcher().body_policy_for(parser.get().method(), parser.get().target()).limit;
        INBOX_FUZZ_CHECK(limit == http::kApiBodyLimit || limit == http::kWebhookBodyLimit);
        if (parser.content_length() && *parser.content_length() > limit) {
            transcript.ending = Ending::body_too_large;
            return transcript;
        }
        parser.body_limit(limit);
        if (!parser.is_done()) {  // (an Expect: 100-continue is answered here; it changes nothing read)
            read(stream, buffer, parser, /*header_only=*/false, ec);
            if (ec == beast_http::error::body_limit) {
                transcript.ending = Ending::body_too_large;
                return transcript;
            }
            if (ec) {
                if (is_parse_error(ec)) transcript.ending = Ending::malformed;
                return transcript;
            }
        }

        http::Request request;
        request.message = parser.release();
        INBOX_FUZZ_CHECK(request.message.body().size() <= limit);
        inbox::fuzz::check_routing(request);
        inbox::fuzz::check_query_parameters(request);
        transcript.requests.push_back(describe(request.message));
        if (!request.message.keep_alive()) {
            transcript.ending = Ending::not_keep_alive;
            return transcript;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto whole = serve(bytes, std::numeric_limits<std::size_t>::max());
    const auto piece = 1 + std::hash<std::string_view>{}(bytes) % 64;
    INBOX_FUZZ_CHECK(same_outcome(serve(bytes, piece), whole));
    if (size <= 1024) INBOX_FUZZ_CHECK(same_outcome(serve(bytes, 1), whole));
    return 0;
}
