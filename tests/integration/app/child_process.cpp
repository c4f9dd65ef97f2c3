#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace inbox::testing {

std::string ProcessResult::describe() const {
    std::string text = exited ? "exit " + std::to_string(exit_code)
                              : (timed_out ? "timed out" : "signal " + std::to_string(term_signal));
    return text + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
}

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args, const Environment& env) {
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        throw std::runtime_error("pipe2 failed");
    }

    std::vector<std::string> argv_text{program};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_text;
    if (!env.count("PATH")) env_text.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
    // Sanitizer settings of the test run apply to the child too (a sanitizer report then fails its exit status).
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
        const char* value = std::getenv(name);
        if (value && !env.count(name)) env_text.push_back(std::string(name) + "=" + value);
    }
    for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    // Default signal dispositions and an empty mask in the child, whatever the test runner set.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t all;
    sigset_t none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    int rc = posix_spawn(&pid_, program.c_str(), &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        pid_ = -1;
        throw std::runtime_error("posix_spawn " + program + ": " + std::strerror(rc));
    }
    started_ = std::chrono::steady_clock::now();
    reader_ = std::thread([this, out_fd = out[0], err_fd = err[0]] { read_pipes(out_fd, err_fd); });
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    if (reader_.joinable()) reader_.join();
}

void ChildProcess::read_pipes(int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open_count = 2;
    char chunk[4096];
    while (open_count > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            auto n = ::read(fds[i].fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_count;
                continue;
            }
            std::lock_guard lock(mutex_);
            (i == 0 ? out_ : err_).append(chunk, static_cast<std::size_t>(n));
            changed_.notify_all();
        }
    }
    for (auto& fd : fds) {
        if (fd.fd >= 0) close(fd.fd);
    }
    std::lock_guard lock(mutex_);
    pipes_closed_ = true;
    changed_.notify_all();
}

bool ChildProcess::reap(bool block) {
    if (reaped_) return true;
    int status = 0;
    pid_t rc;
    do {
        rc = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (rc < 0 && errno == EINTR);
    if (rc == pid_) {
        reaped_ = true;
        status_ = status;
    }
    return reaped_;
}

bool ChildProcess::running() { return pid_ > 0 && !reap(false); }

void ChildProcess::signal(int signo) {
    if (running()) ::kill(pid_, signo);
}

ProcessResult ChildProcess::wait(std::chrono::milliseconds timeout) {
    ProcessResult result;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(false)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            result.timed_out = true;
            ::kill(pid_, SIGKILL);
            reap(true);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
    if (reader_.joinable()) reader_.join();
    if (!result.timed_out) {
        result.exited = WIFEXITED(status_);
        if (result.exited) result.exit_code = WEXITSTATUS(status_);
        if (WIFSIGNALED(status_)) result.term_signal = WTERMSIG(status_);
    }
    std::lock_guard lock(mutex_);
    result.out = out_;
    result.err = err_;
    return result;
}

std::optional<std::string> ChildProcess::wait_for_stdout_line(const std::function<bool(const std::string&)>& match,
                                                              std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t scanned = 0;  // complete lines before this offset were already checked
    std::unique_lock lock(mutex_);
    for (;;) {
        for (auto end = out_.find('\n', scanned); end != std::string::npos; end = out_.find('\n', scanned)) {
            auto line = out_.substr(scanned, end - scanned);
            scanned = end + 1;
            if (match(line)) return line;
        }
        if (pipes_closed_) return std::nullopt;
        if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) return std::nullopt;
    }
}

std::string ChildProcess::stdout_text() const {
    std::lock_guard lock(mutex_);
    return out_;
}

std::string ChildProcess::stderr_text() const {
    std::lock_guard lock(mutex_);
    return err_;
}

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args, const Environment& env,
                          std::chrono::milliseconds timeout) {
    ChildProcess child(program, args, env);
    return child.wait(timeout);
}

}  // namespace inbox::testing
