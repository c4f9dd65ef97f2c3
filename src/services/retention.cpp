#include "inbox/services/retention.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <map>
#include <string>

#include "inbox/media/media_store.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/storage/retention_repository.hpp"
#include "inbox/util/file_threads.hpp"

namespace inbox::services {

namespace asio = boost::asio;
using storage::RetainedRows;

namespace {

constexpr std::array kKinds{RetainedRows::finished_webhook_events, RetainedRows::failed_webhook_events,
                            RetainedRows::parked_statuses, RetainedRows::finished_jobs,
                            RetainedRows::unused_uploads};

constexpr std::string_view kPrunedName = "inbox_retention_pruned_total";
constexpr std::string_view kPrunedHelp = "Rows and temp files removed past their retention, by table (media_tmp: "
                                         "MEDIA_DIR/tmp files)";

}  // namespace

struct Retention::State {
    State(asio::any_io_executor executor_ref, storage::RetentionRepository& rows_ref, const media::MediaStore* store_ref,
          FileThreads* file_threads_ref, observability::MetricsRegistry& metrics, RetentionOptions retention_options)
        : executor(asio::make_strand(executor_ref)),
          rows(rows_ref),
          store(store_ref),
          file_threads(file_threads_ref),
          options(retention_options),
          timer(executor) {
        for (auto table : {"webhook_events", "parked_statuses", "jobs", "uploads", "media_tmp"}) {
            pruned.emplace(table, &metrics.counter(kPrunedName, kPrunedHelp, {{"table", table}}));
        }
    }

    std::chrono::seconds keep_of(RetainedRows kind) const {
        switch (kind) {
            case RetainedRows::finished_webhook_events: return options.finished_webhook_events;
            case RetainedRows::failed_webhook_events: return options.failed_webhook_events;
            case RetainedRows::parked_statuses: return options.parked_statuses;
            case RetainedRows::unused_uploads: return options.unused_uploads;
            case RetainedRows::finished_jobs: break;
        }
        return options.finished_jobs;
    }

    void count(std::string_view table, std::size_t removed) const {
        if (removed > 0) pruned.find(table)->second->inc(removed);
    }

    asio::any_io_executor executor;  // a strand: the timer is touched there only
    storage::RetentionRepository& rows;
    const media::MediaStore* store;
    FileThreads* file_threads;
    RetentionOptions options;
    asio::steady_timer timer;
    std::map<std::string, observability::Counter*, std::less<>> pruned;
    std::atomic<bool> stopped{false};
};

namespace {

asio::awaitable<void> pause(Retention::State& state, std::chrono::milliseconds duration) {
    state.timer.expires_after(duration);
    boost::system::error_code ignored;
    co_await state.timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// Batches of one kind until a short one (nothing older is left) or the pass's budget is spent.
asio::awaitable<std::size_t> prune_kind(Retention::State& state, RetainedRows kind) {
    std::size_t removed = 0;
    for (std::size_t batch = 0; batch < state.options.max_batches_per_pass && !state.stopped; ++batch) {
        const auto deleted = co_await state.rows.prune(kind, state.keep_of(kind), state.options.batch);
        removed += deleted;
        state.count(storage::table_of(kind), deleted);
        if (deleted < state.options.batch) break;
        co_await pause(state, state.options.pause_between_batches);
    }
    co_return removed;
}

// A plain function, not a coroutine: the lambda must not be a temporary inside a co_await (GCC 12).
asio::awaitable<std::size_t> prune_files_off_loop(FileThreads& threads, const media::MediaStore& store,
                                                  std::filesystem::file_time_type cutoff) {
    return threads.run([&store, cutoff] { return store.prune_temp_files(cutoff); });
}

asio::awaitable<std::size_t> prune_temp_files(Retention::State& state) {
    if (!state.store) co_return 0;
    const auto cutoff = std::filesystem::file_time_type::clock::now() - state.options.temp_files;
    std::size_t removed = 0;
    if (state.file_threads) {
        removed = co_await prune_files_off_loop(*state.file_threads, *state.store, cutoff);  // a directory walk
    } else {
        removed = state.store->prune_temp_files(cutoff);
    }
    state.count("media_tmp", removed);
    co_return removed;
}

asio::awaitable<std::size_t> prune_all(Retention::State& state) {
    std::size_t removed = 0;
    for (auto kind : kKinds) {
        try {
            removed += co_await prune_kind(state, kind);
        } catch (const std::exception& error) {
            // Postgres away or busy: the next pass tries again; nothing depends on it being prompt.
            spdlog::warn("retention: pruning {} failed, next pass in {} s: {}", storage::table_of(kind),
                         state.options.interval.count(), error.what());
        }
    }
    removed += co_await prune_temp_files(state);
    co_return removed;
}

asio::awaitable<void> retention_loop(std::shared_ptr<Retention::State> state) {
    co_await pause(*state, state->options.first_pass_after);
    while (!state->stopped) {
        if (const auto removed = co_await prune_all(*state); removed > 0) {
            spdlog::info("retention: removed {} finished rows and temp files past their retention", removed);
        }
        co_await pause(*state, state->options.interval);
    }
}

}  // namespace

Retention::Retention(asio::any_io_executor executor, storage::RetentionRepository& rows,
                     const media::MediaStore* store, FileThreads* file_threads,
                     observability::MetricsRegistry& metrics, RetentionOptions options)
    : state_(std::make_shared<State>(std::move(executor), rows, store, file_threads, metrics, options)) {}

Retention::~Retention() { stop(); }

void Retention::start() { asio::co_spawn(state_->executor, retention_loop(state_), asio::detached); }

void Retention::stop() {
    if (state_->stopped.exchange(true)) return;
    // The timer belongs to the strand: cancelled there, never from this thread.
    asio::post(state_->executor, [state = state_] { state->timer.cancel(); });
}

asio::awaitable<std::size_t> Retention::prune_once() {
    auto state = state_;
    co_return co_await asio::co_spawn(state->executor, prune_all(*state), asio::use_awaitable);
}

}  // namespace inbox::services
