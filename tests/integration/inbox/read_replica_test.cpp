// List reads on a real streaming replica (DATABASE_READ_URL; scripts/lib/services.sh starts it with pg_basebackup):
// they go there when allowed, a caller always reads its own writes, and a lagging or missing replica is never used.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <thread>

#include "inbox_fixture.hpp"

namespace inbox::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::optional<std::string> replica_server() {
    const char* url = std::getenv("TEST_REPLICA_URL");
    if (!url || !*url) return std::nullopt;
    return std::string(url);
}

// Replays WAL or holds it, on the whole replica cluster (pg_wal_replay_pause is cluster-wide).
void set_replay(const std::string& replica_url, bool paused) {
    pqxx::connection connection(replica_url);
    pqxx::nontransaction tx(connection);
    tx.exec(paused ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()");
}

// ctest runs test processes in parallel, and pausing replay stops the replica for all of them: these tests take
// turns (a file lock, released when the process ends whatever happens).
class ReplicaTurn {
public:
    ReplicaTurn() : fd_(::open("/tmp/inbox-replica-tests.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0666)) {
        if (fd_ >= 0) ::flock(fd_, LOCK_EX);
    }
    ~ReplicaTurn() {
        if (fd_ >= 0) ::close(fd_);
    }
    ReplicaTurn(const ReplicaTurn&) = delete;
    ReplicaTurn& operator=(const ReplicaTurn&) = delete;

private:
    int fd_;
};

// The turn comes first (a base class): it is taken before the server starts and released after it stopped.
class ReadReplicaTest : private ReplicaTurn, public InboxFixture {
protected:
    explicit ReadReplicaTest(std::chrono::milliseconds max_lag = 5s, std::optional<std::string> replica = replica_server())
        : InboxFixture(options_for(replica, max_lag)), replica_url_(std::move(replica)) {}
    ~ReadReplicaTest() override {
        if (replica_url_ && paused_) set_replay(*replica_url_, false);
    }
    void SetUp() override {
        if (!replica_url_) GTEST_SKIP() << "TEST_REPLICA_URL is not set (scripts/test.sh starts a replica)";
        carol = token_for(carol_id);
        db.execute("INSERT INTO account_members (user_id, account_id) VALUES ('" + carol_id + "', '" + account_a + "')");
    }

    static InboxServerOptions options_for(const std::optional<std::string>& replica, std::chrono::milliseconds max_lag) {
        InboxServerOptions options;
        options.replica_url = replica;
        options.replica_max_lag = max_lag;
        return options;
    }

    void pause_replay() {
        set_replay(*replica_url_, true);
        paused_ = true;
    }
    void resume_replay() {
        set_replay(*replica_url_, false);
        paused_ = false;
    }
    std::uint64_t routed(const std::string& target) {
        return server_.counter("inbox_db_read_routing_total", {{"target", target}});
    }
    // Probes until the replica has replayed everything written so far.
    void wait_for_replica() {
        for (int i = 0; i < 300; ++i) {
            server_.probe_replica();
            if (server_.replica()->caught_up()) return;
            std::this_thread::sleep_for(10ms);
        }
        FAIL() << "the replica did not catch up";
    }
    json list(const std::string& token) {
        auto response = get("/accounts/" + account_a + "/conversations", token);
        EXPECT_EQ(response.status, 200) << response.body;
        return json::parse(response.body);
    }

    const std::string carol_id = "carol-" + db.name();
    std::string carol;
    std::optional<std::string> replica_url_;
    bool paused_ = false;
};

TEST_F(ReadReplicaTest, ListReadsGoToTheReplicaAndAnswerWhatThePrimaryHas) {
    auto conversation = add_conversation(account_a, "now()", "open", 3);
    add_message(account_a, conversation);
    wait_for_replica();
    const auto before = routed("replica");
    auto page = list(carol);
    ASSERT_EQ(page["data"].size(), 1u);
    EXPECT_EQ(page["data"][0]["unread_count"], 3);
    auto messages = get("/conversations/" + conversation + "/messages", carol);
    ASSERT_EQ(messages.status, 200);
    EXPECT_EQ(json::parse(messages.body)["data"].size(), 1u);
    EXPECT_GE(routed("replica") - before, 2u);
    // Membership is checked on the replica too: another account's user gets 404 there as well.
    EXPECT_EQ(get("/accounts/" + account_a + "/conversations", bob).status, 404);
}

TEST_F(ReadReplicaTest, ACallerReadsItsOwnWriteWhileTheReplicaIsBehind) {
    auto conversation = add_conversation(account_a, "now()", "open", 4);
    wait_for_replica();
    pause_replay();
    ASSERT_EQ(post("/conversations/" + conversation + "/read", alice).status, 200);
    // alice wrote: her next list comes from the primary, with her change.
    EXPECT_EQ(list(alice)["data"][0]["unread_count"], 0);
    // carol did not write: the replica (inside its lag bound) answers, without alice's change yet.
    server_.probe_replica();
    const auto replica_reads = routed("replica");
    EXPECT_EQ(list(carol)["data"][0]["unread_count"], 4);
    EXPECT_GT(routed("replica"), replica_reads);
    resume_replay();
    wait_for_replica();
    EXPECT_EQ(list(carol)["data"][0]["unread_count"], 0);
    // Once the replica has replayed alice's write, alice reads from it again.
    server_.probe_replica();
    EXPECT_TRUE(server_.replica()->use_for(alice_id));
}

// Another instance took the write: all this one has is the position its answer named (X-Inbox-Read-After),
// which the client sends back. Until the replica has replayed it, that client's reads come from the primary.
TEST_F(ReadReplicaTest, AWritePositionFromAnotherInstanceIsHonouredHere) {
    auto conversation = add_conversation(account_a, "now()", "open", 5);
    wait_for_replica();
    pause_replay();
    // A write answered here names its position.
    auto read = post("/conversations/" + conversation + "/read", alice);
    ASSERT_EQ(read.status, 200) << read.body;
    const auto position = read.header("x-inbox-read-after");
    ASSERT_FALSE(position.empty());
    EXPECT_NE(position.find('/'), std::string::npos) << position;
    // carol did not write through this instance: without the header the replica answers (the old count) ...
    server_.probe_replica();
    EXPECT_EQ(list(carol)["data"][0]["unread_count"], 5);
    // ... with the position another instance gave her, the primary answers, with the write.
    auto fresh = http_request(server_.port(), "GET", "/accounts/" + account_a + "/conversations",
                              {{"Authorization", "Bearer " + carol}, {"X-Inbox-Read-After", position}});
    ASSERT_EQ(fresh.status, 200) << fresh.body;
    EXPECT_EQ(json::parse(fresh.body)["data"][0]["unread_count"], 0);
    EXPECT_FALSE(server_.replica()->use_for(carol_id));
    // A malformed position is ignored, never an error.
    auto odd = http_request(server_.port(), "GET", "/accounts/" + account_a + "/conversations",
                            {{"Authorization", "Bearer " + bob}, {"X-Inbox-Read-After", "not-a-position"}});
    EXPECT_EQ(odd.status, 404);  // bob is not a member: the answer is the route's, not the header's
    resume_replay();
    wait_for_replica();
    server_.probe_replica();
    EXPECT_TRUE(server_.replica()->use_for(carol_id));
}

class TightLagReplicaTest : public ReadReplicaTest {
protected:
    TightLagReplicaTest() : ReadReplicaTest(200ms) {}
};

TEST_F(TightLagReplicaTest, AReplicaLaggingPastTheBoundIsNotUsed) {
    auto conversation = add_conversation(account_a, "now()", "open", 2);
    wait_for_replica();
    pause_replay();
    db.execute("UPDATE conversations SET unread_count = 7 WHERE id = '" + conversation + "'");
    // Probes keep sampling the primary's position; 200 ms later the replica is behind it by more than the bound.
    for (int i = 0; i < 10; ++i) {
        server_.probe_replica();
        std::this_thread::sleep_for(50ms);
    }
    server_.probe_replica();
    const auto primary_reads = routed("primary");
    EXPECT_EQ(list(carol)["data"][0]["unread_count"], 7);
    EXPECT_GT(routed("primary"), primary_reads);
}

class DownReplicaTest : public ReadReplicaTest {
protected:
    // Nothing listens on port 1.
    DownReplicaTest() : ReadReplicaTest(1s, replica_server() ? std::optional<std::string>("postgresql://postgres@127.0.0.1:1/postgres") : std::nullopt) {}
};

TEST_F(DownReplicaTest, AnUnreachableReplicaCostsNothingButItsProbe) {
    auto conversation = add_conversation(account_a, "now()", "open", 1);
    server_.probe_replica();
    EXPECT_FALSE(server_.replica()->use_for(carol_id));
    EXPECT_EQ(list(carol)["data"][0]["id"], conversation);
    EXPECT_EQ(get("/conversations/" + conversation + "/messages", carol).status, 200);
    EXPECT_EQ(routed("replica"), 0u);
}

TEST(WalLsn, ParsesPostgresPositionsAndNothingElse) {
    EXPECT_EQ(storage::parse_wal_lsn("0/341F220"), 0x341F220u);
    EXPECT_EQ(storage::parse_wal_lsn("16/B374D848"), (0x16ull << 32) | 0xB374D848ull);
    EXPECT_GT(*storage::parse_wal_lsn("1/0"), *storage::parse_wal_lsn("0/FFFFFFFF"));
    for (const auto* bad : {"", "/", "0/", "/1", "12", "0/1/2", "g/1", "0/1 ", "100000000/0", "-1/0"}) {
        EXPECT_FALSE(storage::parse_wal_lsn(bad)) << bad;
    }
}

}  // namespace
}  // namespace inbox::testing
