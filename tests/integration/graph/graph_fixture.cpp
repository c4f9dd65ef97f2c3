#include "graph_fixture.hpp"

#include <unistd.h>

#include <filesystem>

namespace inbox::graph::testing {

IoThreads::IoThreads(int threads) : guard_(io_.get_executor()) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
}

IoThreads::~IoThreads() {
    guard_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
}

FakeControl::FakeControl(IoThreads& io, std::string base_url, const HttpClientOptions& options)
    : io_(io), base_url_(std::move(base_url)), http_(io.io().get_executor(), options, metrics_) {}

nlohmann::json FakeControl::get(const std::string& path) {
    HttpRequest request;
    request.url = base_url_ + "/_control/" + path;
    const auto response = io_.run(http_.request(std::move(request)));
    EXPECT_EQ(response.status, 200u) << path << ": " << response.body;
    return nlohmann::json::parse(response.body, nullptr, false);
}

nlohmann::json FakeControl::post(const std::string& path, const nlohmann::json& body) {
    HttpRequest request;
    request.method = "POST";
    request.url = base_url_ + "/_control/" + path;
    request.headers.push_back(HttpHeader{"Content-Type", "application/json"});
    request.body = body.dump();
    const auto response = io_.run(http_.request(std::move(request)));
    EXPECT_EQ(response.status, 200u) << path << ": " << response.body;
    return nlohmann::json::parse(response.body, nullptr, false);
}

void FakeControl::fail(const std::string& family, const nlohmann::json& failure) {
    knobs({{"families", {{family, {{"failure", failure}}}}}});
}

std::uint64_t FakeControl::connections_accepted() { return get("stats")["connections_accepted"].get<std::uint64_t>(); }

std::uint64_t FakeControl::requests(const std::string& family) {
    return get("stats")["families"][family]["requests"].get<std::uint64_t>();
}

nlohmann::json FakeControl::recorded(const std::string& family) { return get("requests?family=" + family)["requests"]; }

void GraphTest::SetUpTestSuite() {
    if (!fake_) fake_ = new FakeGraphProcess();
}

void GraphTest::TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
}

void GraphTest::SetUp() {
    io_ = std::make_unique<IoThreads>();
    metrics_ = std::make_unique<observability::MetricsRegistry>();
    control_ = std::make_unique<FakeControl>(*io_, fake_->base_url(), default_http_options());
    control_->reset();
    make_clients(default_http_options(), default_graph_options());
}

void GraphTest::TearDown() {
    graph_.reset();
    http_.reset();
    control_.reset();
    io_.reset();
}

HttpClientOptions GraphTest::default_http_options() const {
    HttpClientOptions options;
    options.connect_timeout = std::chrono::seconds(2);
    options.request_timeout = std::chrono::seconds(5);
    options.download_timeout = std::chrono::seconds(30);
    return options;
}

GraphClientOptions GraphTest::default_graph_options() const {
    GraphClientOptions options;
    options.api_base = fake_->base_url();
    options.api_version = kVersion;
    options.media_hosts = {"127.0.0.1"};
    options.request_timeout = std::chrono::seconds(5);
    return options;
}

void GraphTest::make_clients(HttpClientOptions http_options, GraphClientOptions graph_options) {
    graph_.reset();
    http_ = std::make_unique<HttpClient>(io_->io().get_executor(), std::move(http_options), *metrics_);
    auto clock = [this] { return std::chrono::steady_clock::now() + clock_offset_.load(); };
    graph_ = std::make_unique<GraphClient>(*http_, std::move(graph_options), *metrics_, clock);
}

GraphResult<SentMessage> GraphTest::send_text(const std::string& to, const std::string& text) {
    return run(graph().send_text(kPhoneNumberId, kToken, {to}, text));
}

TempPath::TempPath() {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("graph-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".bin"))
                .string();
}

TempPath::~TempPath() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

std::uint64_t file_size_of(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
}

}  // namespace inbox::graph::testing
