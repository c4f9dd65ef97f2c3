#include "loadgen/request_renderer.hpp"

#include "loadgen/hmac.hpp"

namespace inbox::loadgen {

std::string serialize_request(std::string_view method, std::string_view target, std::string_view host,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string* body) {
    std::string wire;
    wire.reserve(128 + target.size() + (body ? body->size() : 0));
    wire.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
    wire.append("User-Agent: inbox-loadgen\r\n");
    for (const auto& [name, value] : headers) wire.append(name).append(": ").append(value).append("\r\n");
    if (body) wire.append("Content-Length: ").append(std::to_string(body->size())).append("\r\n");
    wire.append("\r\n");
    if (body) wire.append(*body);
    return wire;
}

RequestRenderer::RequestRenderer(const Scenario& scenario, std::string host_header, std::string base_path,
                                 std::uint64_t seed, std::uint64_t run_id)
    : scenario_(scenario),
      host_header_(std::move(host_header)),
      base_path_(std::move(base_path)),
      rng_(seed),
      run_id_(run_id) {}

std::string RequestRenderer::render(std::size_t request_index, std::uint64_t seq, std::int64_t now_unix) {
    const RequestSpec& spec = scenario_.requests.at(request_index);
    RenderContext context{rng_, scenario_.id_lists, seq, now_unix, run_id_};

    std::string target = base_path_;
    spec.path.render_to(target, context);

    std::vector<std::pair<std::string, std::string>> headers;
    headers.reserve(spec.headers.size() + 1);
    for (const auto& [name, value] : spec.headers) headers.emplace_back(name, value.render(context));

    std::string body;
    if (spec.body) body = spec.body->render(context);
    if (spec.signing_secret) headers.emplace_back("X-Hub-Signature-256", webhook_signature(*spec.signing_secret, body));
    // A bodiless POST still says "Content-Length: 0": some servers answer 411 otherwise.
    const bool has_body = spec.body || spec.method == "POST" || spec.method == "PUT" || spec.method == "PATCH";
    return serialize_request(spec.method, target, host_header_, headers, has_body ? &body : nullptr);
}

}  // namespace inbox::loadgen
