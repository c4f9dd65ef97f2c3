// fake-graph over TLS, verified by a client that trusts only the test CA (tests/data/tls/make-certs.sh).
#include "fake_graph_fixture.hpp"

namespace fake_graph::testing {
namespace {

const std::string kTlsDir = FAKE_GRAPH_TLS_DIR;

class Tls : public FakeGraphTest {
protected:
    void SetUp() override {
        ServerOptions options;
        options.tls_cert_file = kTlsDir + "/server.pem";
        options.tls_key_file = kTlsDir + "/server.key";
        server_ = std::make_unique<Server>(std::move(options));
    }
    HttpTestClient client_for(const std::string& server_name, const std::string& ca_file = kTlsDir + "/ca.pem") {
        return HttpTestClient("127.0.0.1", server_->port(), ClientTls{ca_file, server_name});
    }
};

TEST_F(Tls, VerifiedHandshakeWithTheTestCaAndHostName) {
    EXPECT_TRUE(server_->base_url().starts_with("https://127.0.0.1:"));
    for (const std::string name : {"localhost", "127.0.0.1"}) {
        auto client = client_for(name);
        const auto result = send_text(client, "16505551234");
        EXPECT_EQ(result.status, 200) << name << ": " << result.error;
    }
}

TEST_F(Tls, MediaUrlIsHttpsAndDownloadsOverTls) {
    auto client = client_for("localhost");
    const auto meta = client.get("/v21.0/77", kToken).json();
    const auto url = meta["url"].get<std::string>();
    EXPECT_TRUE(url.starts_with("https://")) << url;
    const auto bytes = client.download(target_of(url, authority()), kToken);
    EXPECT_EQ(bytes.status, 200) << bytes.error;
    EXPECT_EQ(bytes.sha256_hex, meta["sha256"]);
}

TEST_F(Tls, CertificateForAnotherNameIsRefused) {
    auto client = client_for("graph.facebook.com");
    const auto result = client.get("/_control/health");
    EXPECT_EQ(result.status, 0);
    EXPECT_NE(result.error.find("certificate verify failed"), std::string::npos) << result.error;
}

TEST_F(Tls, CertificateFromAnUntrustedIssuerIsRefused) {
    auto client = client_for("localhost", kTlsDir + "/server.pem");  // a leaf, not the CA that signed it
    const auto result = client.get("/_control/health");
    EXPECT_EQ(result.status, 0);
    EXPECT_FALSE(result.error.empty());
}

}  // namespace
}  // namespace fake_graph::testing
