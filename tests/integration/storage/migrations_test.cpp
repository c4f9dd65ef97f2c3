#include "inbox/storage/migrations.hpp"

#include "test_database.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <future>

namespace inbox::storage {
namespace {

using testing::TestDatabase;

TEST(Migrations, EmbeddedMigrationsAreInStrictVersionOrder) {
    auto migrations = embedded_migrations();
    ASSERT_FALSE(migrations.empty());
    for (std::size_t i = 1; i < migrations.size(); ++i) EXPECT_LT(migrations[i - 1].version, migrations[i].version);
}

TEST(Migrations, FirstRunAppliesAllAndSecondRunIsANoOp) {
    TestDatabase db(/*migrate=*/false);
    pqxx::connection connection(db.url());
    auto first = apply_migrations(connection, embedded_migrations());
    EXPECT_EQ(first.size(), embedded_migrations().size());
    auto second = apply_migrations(connection, embedded_migrations());
    EXPECT_TRUE(second.empty());
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schema_migrations"), std::to_string(embedded_migrations().size()));
}

TEST(Migrations, ConcurrentStartersApplyEachMigrationOnce) {
    TestDatabase db(/*migrate=*/false);
    auto migrate = [&] {
        pqxx::connection connection(db.url());
        return apply_migrations(connection, embedded_migrations()).size();
    };
    auto a = std::async(std::launch::async, migrate);
    auto b = std::async(std::launch::async, migrate);
    EXPECT_EQ(a.get() + b.get(), embedded_migrations().size());
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schema_migrations"), std::to_string(embedded_migrations().size()));
}

TEST(Migrations, AFailingMigrationIsRolledBackAndNotRecorded) {
    TestDatabase db(/*migrate=*/false);
    const Migration broken[] = {{1, "0001_good", "CREATE TABLE good (id int)"},
                                {2, "0002_bad", "CREATE TABLE half (id int); SELECT no_such_function()"}};
    pqxx::connection connection(db.url());
    EXPECT_THROW(apply_migrations(connection, broken), std::runtime_error);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schema_migrations"), "1");
    EXPECT_EQ(db.query_value("SELECT to_regclass('half')::text"), "");
    EXPECT_EQ(db.query_value("SELECT to_regclass('good')::text"), "good");
}

TEST(Migrations, SchemaHasTheIndexesTheQueriesNeed) {
    TestDatabase db;
    for (const char* index : {"messages_free_window", "messages_conversation_timestamp", "messages_wamid_per_account",
                              "conversations_one_open_per_contact", "conversations_list_by_status", "jobs_live_dedupe",
                              "webhook_events_due"}) {
        EXPECT_EQ(db.query_value(std::string("SELECT count(*) FROM pg_indexes WHERE indexname = '") + index + "'"),
                  "1")
            << index;
    }
    // The seed's window index is partial on non-failed messages.
    EXPECT_NE(db.query_value("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_free_window'")
                  .find("WHERE ((status <> 'failed'::text) OR (status IS NULL))"),
              std::string::npos);
}

}  // namespace
}  // namespace inbox::storage
