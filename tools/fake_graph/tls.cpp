#include "fake_graph/tls.hpp"

#include <stdexcept>

namespace fake_graph {

boost::asio::ssl::context make_server_tls_context(const std::string& cert_chain_file, const std::string& key_file) {
    namespace ssl = boost::asio::ssl;
    ssl::context tls(ssl::context::tls_server);
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    boost::system::error_code ec;
    tls.use_certificate_chain_file(cert_chain_file, ec);
    if (ec) throw std::runtime_error("cannot load TLS certificate chain '" + cert_chain_file + "': " + ec.message());
    tls.use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load TLS private key '" + key_file + "': " + ec.message());
    return tls;
}

}  // namespace fake_graph
