#pragma once
// Measures how late the I/O loop runs its timers: every `interval` a timer is due, and how long after its due time
// it actually ran is the loop's lag — the wait any ready handler (a request's next step) is facing. Feeds
// LoadShedder. Runs until the io_context stops.
#include <boost/asio/io_context.hpp>
#include <chrono>

namespace inbox::http {

class LoadShedder;

void start_loop_lag_probe(boost::asio::io_context& io, LoadShedder& shedder,
                          std::chrono::milliseconds interval = std::chrono::milliseconds(50));

}  // namespace inbox::http
