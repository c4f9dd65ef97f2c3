#pragma once
// Every connection the server opens to Postgres (pool, LISTEN, liveness) is bounded in time: libpq's
// connect_timeout for the connect, and TCP keepalives plus tcp_user_timeout so that a peer that vanished (a
// half-open socket: no FIN, no RST, e.g. a partitioned or frozen database host) is noticed within seconds instead
// of the kernel's two hours. Settings the caller wrote into the URL win.
#include <chrono>
#include <string>

namespace inbox::storage {

struct ConnectionLimits {
    std::chrono::seconds connect_timeout{3};
    std::chrono::seconds keepalive_idle{5};
    std::chrono::seconds keepalive_interval{2};
    int keepalive_count = 3;
    // Unacknowledged data older than this ends the connection (covers a peer that vanished mid-write).
    std::chrono::milliseconds tcp_user_timeout{10'000};
    std::string application_name = "whatsapp-inbox";
};

// `conninfo` (a postgresql:// URL or libpq key=value pairs) with every limit it does not set itself.
std::string with_connection_limits(std::string conninfo, const ConnectionLimits& limits = {});

}  // namespace inbox::storage
