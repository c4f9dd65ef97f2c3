#pragma once
// hiredis writes with write(2), so a write to a connection Redis has closed raises SIGPIPE, whose default action
// kills the process. While a guard lives, SIGPIPE is blocked on this thread and one it raised is swallowed, the same
// technique libpq uses; the write then fails with EPIPE and the context is dropped like any other I/O error.
#include <signal.h>

namespace inbox::cache {

class SigpipeGuard {
public:
    SigpipeGuard() noexcept;
    ~SigpipeGuard();
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t previous_mask_;
    bool was_pending_ = false;
};

}  // namespace inbox::cache
