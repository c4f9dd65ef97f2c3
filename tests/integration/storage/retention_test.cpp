// Retention (issue #25): finished rows past their retention go, in batches; live rows and recent ones stay, and
// so do temp files of downloads that may still be running.
#include "inbox/services/retention.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "inbox/media/media_store.hpp"
#include "inbox/observability/metrics.hpp"
#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/retention_repository.hpp"
#include "test_database.hpp"

namespace inbox::services {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class RetentionTest : public ::testing::Test {
protected:
    RetentionTest() {
        account = db.query_value(
            "INSERT INTO accounts (name, phone_number_id, waba_id, access_token)"
            " VALUES ('Retention', 'retention-" + db.name() + "', 'waba', 'token') RETURNING id");
    }
    ~RetentionTest() override { fs::remove_all(media_dir); }

    std::size_t prune_once() {
        auto future = asio::co_spawn(io, retention.prune_once(), asio::use_future);
        io.restart();
        io.run();
        return future.get();
    }
    void event(const std::string& status, const std::string& age) {
        db.execute("INSERT INTO webhook_events (body, status, received_at) VALUES ('{}', '" + status +
                   "', now() - interval '" + age + "')");
    }
    void job(const std::string& status, const std::string& age) {
        db.execute("INSERT INTO jobs (kind, status, updated_at) VALUES ('test', '" + status + "', now() - interval '" +
                   age + "')");
    }
    void parked(const std::string& age) {
        db.execute("INSERT INTO parked_statuses (account_id, wa_message_id, status, timestamp, received_at) VALUES ('" +
                   account + "', 'wamid." + std::to_string(++parked_count) + "', 'delivered', now(), now() - interval '" +
                   age + "')");
    }
    void upload(const std::string& age, bool used) {
        db.execute("INSERT INTO uploads (account_id, uploaded_by, kind, mime_type, file_size, sha256, created_at,"
                   " used_at) VALUES ('" + account + "', 'agent', 'document', 'application/pdf', 10, '" +
                   std::string(64, 'a') + "', now() - interval '" + age + "', " + (used ? "now()" : "NULL") + ")");
    }
    std::string count(const std::string& where) { return db.query_value("SELECT count(*) FROM " + where); }
    std::uint64_t pruned(const std::string& table) {
        return metrics.counter("inbox_retention_pruned_total", "", {{"table", table}}).value();
    }
    fs::path temp_file(const std::string& name, std::chrono::hours age) {
        auto path = media_dir / "tmp" / name;
        std::ofstream(path) << "partial download";
        fs::last_write_time(path, fs::file_time_type::clock::now() - age);
        return path;
    }

    testing::TestDatabase db;
    observability::MetricsRegistry metrics;
    storage::DbPool pool{{.url = db.url(), .size = 2}, metrics};
    asio::io_context io;
    const fs::path media_dir = fs::temp_directory_path() / ("inbox-retention-" + db.name());
    media::MediaStore store{media_dir};
    storage::RetentionRepository rows{pool};
    // Batches of two, so five old rows take three batches.
    Retention retention{io.get_executor(), rows, &store, nullptr, metrics,
                        RetentionOptions{.batch = 2, .pause_between_batches = 1ms}};
    std::string account;
    int parked_count = 0;
};

TEST_F(RetentionTest, FinishedRowsPastTheirRetentionGoInBatchesAndNothingElseDoes) {
    for (int i = 0; i < 5; ++i) event("processed", "8 days");
    event("ignored", "8 days");
    event("processed", "6 days");  // within 7 days
    event("pending", "40 days");   // never finished: never pruned, however old
    event("processing", "40 days");
    event("failed", "8 days");  // failed deliveries are kept 30 days
    event("failed", "31 days");
    job("done", "8 days");
    job("failed", "8 days");
    job("done", "1 hour");
    job("pending", "40 days");
    parked("31 days");
    parked("29 days");
    upload("25 hours", false);  // never used: gone after 24 h
    upload("25 hours", true);   // used by a message: kept
    upload("23 hours", false);
    const auto old_file = temp_file("old.part", 25h);
    const auto fresh_file = temp_file("fresh.part", 1h);

    EXPECT_EQ(prune_once(), 6u + 1u + 2u + 1u + 1u + 1u);

    EXPECT_EQ(count("webhook_events WHERE status IN ('processed', 'ignored')"), "1");
    EXPECT_EQ(count("webhook_events WHERE status IN ('pending', 'processing')"), "2");
    EXPECT_EQ(count("webhook_events WHERE status = 'failed'"), "1");
    EXPECT_EQ(count("jobs"), "2");
    EXPECT_EQ(count("parked_statuses"), "1");
    EXPECT_EQ(count("uploads WHERE used_at IS NOT NULL"), "1");
    EXPECT_EQ(count("uploads WHERE used_at IS NULL AND created_at > now() - interval '24 hours'"), "1");
    EXPECT_EQ(count("uploads"), "2");
    EXPECT_FALSE(fs::exists(old_file));
    EXPECT_TRUE(fs::exists(fresh_file));
    EXPECT_EQ(pruned("webhook_events"), 7u);
    EXPECT_EQ(pruned("jobs"), 2u);
    EXPECT_EQ(pruned("parked_statuses"), 1u);
    EXPECT_EQ(pruned("uploads"), 1u);
    EXPECT_EQ(pruned("media_tmp"), 1u);

    // Nothing is left past its retention: a second pass removes nothing.
    EXPECT_EQ(prune_once(), 0u);
}

// A row another transaction holds is skipped, never waited for: retention cannot hold up ingestion or claims.
TEST_F(RetentionTest, ARowInUseIsSkippedNotWaitedFor) {
    event("processed", "8 days");
    event("processed", "8 days");
    pqxx::connection holder(db.url());
    pqxx::work tx(holder);
    tx.exec("SELECT id FROM webhook_events ORDER BY id LIMIT 1 FOR UPDATE");
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(prune_once(), 1u);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    tx.commit();
    EXPECT_EQ(prune_once(), 1u);
    EXPECT_EQ(count("webhook_events"), "0");
}

}  // namespace
}  // namespace inbox::services
