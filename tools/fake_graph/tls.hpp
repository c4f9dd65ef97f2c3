#pragma once
// The server-side TLS context of the fake (PEM certificate chain + private key).
#include <boost/asio/ssl/context.hpp>
#include <string>

namespace fake_graph {

// Throws std::runtime_error naming the file that could not be loaded.
boost::asio::ssl::context make_server_tls_context(const std::string& cert_chain_file, const std::string& key_file);

}  // namespace fake_graph
