#pragma once
// Runs a program as a child process with a controlled environment (empty + PATH + the test run's *SAN_OPTIONS + what
// the test passes), captures stdout and stderr through pipes, waits with a timeout and sends signals. The child is
// SIGKILLed and reaped on destruction if the test did not wait for it.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace inbox::testing {

using Environment = std::map<std::string, std::string>;

struct ProcessResult {
    bool exited = false;       // false: killed by a signal or still running at the timeout
    int exit_code = -1;        // when exited
    int term_signal = 0;       // when killed by a signal
    bool timed_out = false;
    std::string out;
    std::string err;
    std::chrono::milliseconds elapsed{0};

    std::string err_first_line() const { return err.substr(0, err.find('\n')); }
    // For assertion messages.
    std::string describe() const;
};

class ChildProcess {
public:
    ChildProcess(const std::string& program, const std::vector<std::string>& args, const Environment& env);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    bool running();
    void signal(int signo);

    // Waits for the child to exit (SIGKILLing it at the timeout) and for both pipes to close.
    ProcessResult wait(std::chrono::milliseconds timeout);

    // Waits until a complete stdout line satisfies `match`; answers it, or nullopt when the child exited or the
    // timeout passed first.
    std::optional<std::string> wait_for_stdout_line(const std::function<bool(const std::string&)>& match,
                                                    std::chrono::milliseconds timeout);

    std::string stdout_text() const;
    std::string stderr_text() const;

private:
    void read_pipes(int out_fd, int err_fd);
    bool reap(bool block);

    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
    std::chrono::steady_clock::time_point started_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string out_;
    std::string err_;
    bool pipes_closed_ = false;
    std::thread reader_;
};

// Runs to completion (or the timeout) and answers what happened.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args, const Environment& env,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace inbox::testing
