#include "webhook_test_server.hpp"

#include "inbox/auth/webhook_signature.hpp"

namespace inbox::testing {

WebhookServer::WebhookServer(const std::string& database_url, bool process)
    : pool_({.url = database_url, .size = 4}, metrics_),
      liveness_(database_url, metrics_),
      events_(pool_, &liveness_),
      accounts_(pool_),
      inbound_(pool_),
      cache_(1000, metrics_),
      directory_(accounts_, cache_),
      ingestor_(io_.get_executor(),
                [this](std::vector<std::string> bodies) { return events_.insert_batch(std::move(bodies)); }, metrics_),
      processor_(io_.get_executor(), events_, inbound_, directory_, cache_, metrics_,
                 {.sweep_interval = std::chrono::milliseconds(100)}),
      dispatcher_(router_, [](std::string_view) { return std::nullopt; }, metrics_),
      server_(io_, dispatcher_, {.host = "127.0.0.1", .port = 0}) {
    api::register_webhook_routes(router_, ingestor_,
                                 {.app_secrets = {kSecret, kOtherAppSecret},
                                  .verify_token = "verify-me",
                                  .on_committed = [this, process](std::int64_t id) {
                                      ++committed_;
                                      if (process) processor_.enqueue(id);
                                  }});
    liveness_.start();
    for (int i = 0; i < 400 && !liveness_.held(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server_.start();
    if (process) processor_.start_sweeper();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
}

WebhookServer::~WebhookServer() {
    processor_.stop();
    io_.stop();
    for (auto& thread : threads_) thread.join();
}

RawResponse post_webhook(std::uint16_t port, const std::string& body, const std::string& signature) {
    return http_request(port, "POST", "/webhook/whatsapp",
                        {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", signature}}, body);
}

std::string fixture(const std::string& name) { return read_file(fixtures_dir() + "/webhooks/" + name); }

RawResponse post_signed(std::uint16_t port, const std::string& body) {
    return post_webhook(port, body, auth::sign_webhook_body(body, kSecret));
}

RawResponse post_signed_fixture(std::uint16_t port, const std::string& name) {
    return post_signed(port, fixture(name));
}

}  // namespace inbox::testing
