#include "sigpipe_guard.hpp"

#include <pthread.h>

#include <ctime>

namespace inbox::cache {
namespace {

sigset_t only_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return set;
}

bool sigpipe_pending() {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

SigpipeGuard::SigpipeGuard() noexcept {
    auto sigpipe = only_sigpipe();
    pthread_sigmask(SIG_BLOCK, &sigpipe, &previous_mask_);
    was_pending_ = sigpipe_pending();
}

SigpipeGuard::~SigpipeGuard() {
    // Only swallow a SIGPIPE this guard's writes raised, not one that was already waiting for someone else.
    if (!was_pending_ && sigpipe_pending()) {
        auto sigpipe = only_sigpipe();
        timespec no_wait{};
        sigtimedwait(&sigpipe, nullptr, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

}  // namespace inbox::cache
