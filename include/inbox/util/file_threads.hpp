#pragma once
// Threads for blocking file work (writing downloads, fsync, rename): an fsync of a 100 MB file can take a second,
// and on an I/O thread it would stall every connection that thread serves. Work hops here and back
// (run_blocking: the caller resumes on its own executor).
#include <boost/asio/thread_pool.hpp>

#include "inbox/util/run_blocking.hpp"

namespace inbox {

class FileThreads {
public:
    explicit FileThreads(unsigned threads = 2) : pool_(threads) {}
    ~FileThreads() { pool_.join(); }
    FileThreads(const FileThreads&) = delete;
    FileThreads& operator=(const FileThreads&) = delete;

    // fn() on a file thread. Not a coroutine (GCC 12, docs/ARCHITECTURE.md).
    template <typename Fn>
    auto run(Fn fn) {
        return run_blocking(pool_, std::move(fn));
    }

private:
    boost::asio::thread_pool pool_;
};

}  // namespace inbox
