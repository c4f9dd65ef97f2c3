#include "test_certificates.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace inbox::testing {
namespace {

const std::string kEcKey = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256";

void run(const std::string& command) {
    if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
        throw std::runtime_error("test certificates: failed: " + command);
    }
}

}  // namespace

TestCertificateAuthority::TestCertificateAuthority() {
    std::string pattern = (std::filesystem::temp_directory_path() / "inbox-test-ca.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("test certificates: mkdtemp failed");
    dir_ = pattern;
    ca_file_ = dir_ + "/ca.pem";
    run("openssl req -x509 -new" + kEcKey + " -days 2 -subj '/CN=inbox test CA made at test time'" +
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign" + " -keyout " +
        dir_ + "/ca.key -out " + ca_file_);
}

TestCertificateAuthority::~TestCertificateAuthority() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

ServerCertificate TestCertificateAuthority::issue(const std::string& alt_names) {
    const auto base = dir_ + "/server" + std::to_string(++issued_);
    run("openssl req -new" + kEcKey + " -subj /CN=fake-graph -keyout " + base + ".key -out " + base + ".csr");
    std::ofstream(base + ".ext") << "basicConstraints=critical,CA:FALSE\n"
                                    "keyUsage=critical,digitalSignature\n"
                                    "extendedKeyUsage=serverAuth\n"
                                    "subjectAltName="
                                 << alt_names << "\n";
    run("openssl x509 -req -in " + base + ".csr -CA " + ca_file_ + " -CAkey " + dir_ + "/ca.key -set_serial " +
        std::to_string(1000 + issued_) + " -sha256 -days 2 -extfile " + base + ".ext -out " + base + ".pem");
    return {base + ".pem", base + ".key"};
}

}  // namespace inbox::testing
