#pragma once
// A certificate authority made when the test runs (openssl CLI) and server certificates it issues: a TLS test then
// trusts nothing that was committed to the repository.
#include <string>

namespace inbox::testing {

struct ServerCertificate {
    std::string cert_file;  // PEM chain
    std::string key_file;
};

class TestCertificateAuthority {
public:
    // Creates the CA in a fresh directory under the system temp dir; throws std::runtime_error when openssl fails.
    TestCertificateAuthority();
    ~TestCertificateAuthority();
    TestCertificateAuthority(const TestCertificateAuthority&) = delete;
    TestCertificateAuthority& operator=(const TestCertificateAuthority&) = delete;

    // The CA certificate, for a client's trust store.
    const std::string& ca_file() const { return ca_file_; }
    // A server certificate for `alt_names` in openssl's subjectAltName syntax ("DNS:localhost,IP:127.0.0.1").
    ServerCertificate issue(const std::string& alt_names);

private:
    std::string dir_;
    std::string ca_file_;
    int issued_ = 0;
};

}  // namespace inbox::testing
