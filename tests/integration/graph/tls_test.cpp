// HTTPS against fake-graph with a certificate from a throwaway test CA (tests/data/tls/): the chain and the host
// name are both verified.
#include <cstdlib>
#include <filesystem>

#include "graph_fixture.hpp"

namespace inbox::graph::testing {
namespace {

using namespace std::chrono_literals;

class TlsTest : public GraphTest {
protected:
    static void SetUpTestSuite() {
        fake_ = new FakeGraphProcess({"--tls-cert", kTlsDir + "/server.pem", "--tls-key", kTlsDir + "/server.key"});
    }

    HttpClientOptions default_http_options() const override {
        auto options = GraphTest::default_http_options();
        options.ca_file = kTlsDir + "/ca.pem";
        return options;
    }
    GraphClientOptions default_graph_options() const override {
        auto options = GraphTest::default_graph_options();
        options.api_base = fake_->base_url_as("localhost");
        options.media_hosts = {"localhost"};
        return options;
    }
    std::string tls_error_of(HttpClientOptions options, const std::string& url) {
        HttpClient client(io_->io().get_executor(), std::move(options), *metrics_);
        HttpRequest request;
        request.url = url;
        try {
            run(client.request(std::move(request)));
        } catch (const HttpError& e) {
            EXPECT_EQ(e.kind(), HttpErrorKind::tls_failed) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "the handshake succeeded";
        return {};
    }
};

TEST_F(TlsTest, VerifiedHandshakeByNameAndByAddress) {
    ASSERT_TRUE(fake().base_url().starts_with("https://"));
    EXPECT_TRUE(send_text());
    auto options = default_graph_options();
    options.api_base = fake().base_url();  // https://127.0.0.1:PORT: the certificate's IP SAN
    make_clients(default_http_options(), options);
    EXPECT_TRUE(send_text());
}

TEST_F(TlsTest, KeepAliveSkipsTheHandshakeOnLaterCalls) {
    control().knobs({{"connection_delay_ms", 100}});
    const auto before = control().connections_accepted();
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(send_text());
    EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
    for (int i = 0; i < 9; ++i) {
        const auto call_started = std::chrono::steady_clock::now();
        ASSERT_TRUE(send_text());
        EXPECT_LT(std::chrono::steady_clock::now() - call_started, 60ms);
    }
    EXPECT_EQ(control().connections_accepted() - before, 1u);
}

TEST_F(TlsTest, WithoutTheTestCaTheIssuerIsUnknown) {
    auto options = default_http_options();
    options.ca_file.reset();
    const auto error = tls_error_of(options, fake().base_url_as("localhost") + "/_control/health");
    EXPECT_NE(error.find("unable to get local issuer certificate"), std::string::npos) << error;
    EXPECT_EQ(error.find("host name mismatch"), std::string::npos) << error;
}

TEST_F(TlsTest, TheGraphClientReportsAFailedHandshakeAsUnavailable) {
    auto options = default_http_options();
    options.ca_file.reset();
    make_clients(options, default_graph_options());
    const auto result = send_text();
    ASSERT_TRUE(result.unavailable());
    EXPECT_EQ(result.unavailable()->reason, "tls_failed");
}

TEST_F(TlsTest, MediaDownloadsOverTls) {
    const auto meta = run(graph().get_media_meta("321", kToken));
    ASSERT_TRUE(meta);
    EXPECT_TRUE(meta.value().url.starts_with("https://localhost:")) << meta.value().url;
    TempPath file;
    const auto download = run(graph().download_media(meta.value().url, kToken, file.path(), 1 << 20));
    ASSERT_TRUE(download);
    EXPECT_EQ(download.value().sha256_hex, meta.value().sha256);
}

// A certificate for example.com, issued by a CA made on the spot (the repository's CA key is deliberately gone).
class TlsWrongNameTest : public TlsTest {
protected:
    static inline std::filesystem::path dir_;

    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / ("graph-tls-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir_);
        const auto d = dir_.string();
        const std::string script =
            "cd '" + d +
            "' && "
            "openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 2 "
            "-subj '/CN=throwaway test CA' -addext 'basicConstraints=critical,CA:TRUE' "
            "-addext 'keyUsage=critical,keyCertSign,cRLSign' -keyout ca.key -out ca.pem && "
            "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 "
            "-subj '/CN=example.com' -keyout server.key -out server.csr && "
            "printf 'basicConstraints=critical,CA:FALSE\\nextendedKeyUsage=serverAuth\\n"
            "subjectAltName=DNS:example.com\\n' > server.ext && "
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 1 -days 2 -sha256 "
            "-extfile server.ext -out server.pem";
        if (std::system(("(" + script + ") > /dev/null 2>&1").c_str()) != 0) throw std::runtime_error("openssl failed");
        fake_ = new FakeGraphProcess({"--tls-cert", d + "/server.pem", "--tls-key", d + "/server.key"});
    }
    static void TearDownTestSuite() {
        GraphTest::TearDownTestSuite();
        std::filesystem::remove_all(dir_);
    }

    HttpClientOptions default_http_options() const override {
        auto options = GraphTest::default_http_options();
        options.ca_file = (dir_ / "ca.pem").string();
        return options;
    }
    void SetUp() override {
        io_ = std::make_unique<IoThreads>();
        metrics_ = std::make_unique<observability::MetricsRegistry>();
    }
};

TEST_F(TlsWrongNameTest, ATrustedCertificateForAnotherHostIsRefused) {
    const auto error = tls_error_of(default_http_options(), fake().base_url() + "/_control/health");
    EXPECT_NE(error.find("certificate verify failed"), std::string::npos) << error;
    EXPECT_NE(error.find("host name mismatch"), std::string::npos) << error;
}

TEST_F(TlsWrongNameTest, TheChainItselfIsTrustedSoTheRefusalIsAboutTheName) {
    // OpenSSL's chain verdict stays "ok" (no "unable to get local issuer certificate"): what fails is the host
    // name check, for a name ("localhost") just as for an address.
    const auto error = tls_error_of(default_http_options(), fake().base_url_as("localhost") + "/_control/health");
    EXPECT_EQ(error.find("unable to get local issuer certificate"), std::string::npos) << error;
    EXPECT_NE(error.find("host name mismatch"), std::string::npos) << error;
}

}  // namespace
}  // namespace inbox::graph::testing
