#pragma once
// Two accounts on a fresh database: alice is a member of A, bob of B. Small builders insert contacts,
// conversations and messages with plain SQL (times as SQL expressions, e.g. "now() - interval '1 hour'").
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "inbox_test_server.hpp"
#include "test_database.hpp"

namespace inbox::testing {

// SQL text literal or NULL.
inline std::string sql_text(const std::optional<std::string>& value) {
    if (!value) return "NULL";
    std::string quoted = "'";
    for (char c : *value) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted + "'";
}

struct MessageSpec {
    std::string timestamp = "now()";
    std::string direction = "inbound";
    std::string type = "text";
    std::optional<std::string> body = std::string("hello");
    std::optional<std::string> wa_message_id;
    std::string status = "received";
    std::string extra_columns;  // ", col" pairs appended to the INSERT, with extra_values
    std::string extra_values;
};

class InboxFixture : public ::testing::Test {
protected:
    explicit InboxFixture(const std::string& graph_base = kNoGraph,
                          const std::optional<std::string>& redis_url = std::nullopt)
        : InboxFixture(server_options(graph_base, redis_url)) {}

    explicit InboxFixture(const InboxServerOptions& options) : server_(db.url(), options) {
        account_a = db.query_value(
            "INSERT INTO accounts (name, phone_number_id, waba_id, access_token) VALUES"
            " ('A', '106540352242922', 'WABA-A', 'graph-token-of-a') RETURNING id");
        account_b = db.query_value(
            "INSERT INTO accounts (name, phone_number_id, waba_id, access_token) VALUES"
            " ('B', '109876543210987', 'WABA-B', 'graph-token-of-b') RETURNING id");
        db.execute("INSERT INTO account_members (user_id, account_id) VALUES ('" + alice_id + "', '" + account_a +
                   "'), ('" + bob_id + "', '" + account_b + "')");
        alice = token_for(alice_id);
        bob = token_for(bob_id);
    }

    std::string add_contact(const std::string& account, const std::string& wa_id,
                            const std::optional<std::string>& name = std::nullopt,
                            const std::optional<std::string>& profile_name = std::nullopt) {
        return db.query_value("INSERT INTO contacts (account_id, wa_id, name, profile_name) VALUES ('" + account +
                              "', " + sql_text(wa_id) + ", " + sql_text(name) + ", " + sql_text(profile_name) +
                              ") RETURNING id");
    }

    // A conversation with its own contact unless one is given.
    std::string add_conversation(const std::string& account, const std::string& last_message_at = "now()",
                                 const std::string& status = "open", int unread = 0,
                                 const std::string& last_inbound_at = "NULL", std::string contact = {}) {
        if (contact.empty()) contact = add_contact(account, "1650555" + std::to_string(next_wa_id_++));
        return db.query_value(
            "INSERT INTO conversations (account_id, contact_id, status, unread_count, last_message_at,"
            " last_message_preview, last_inbound_at) VALUES ('" +
            account + "', '" + contact + "', '" + status + "', " + std::to_string(unread) + ", " + last_message_at +
            ", 'preview', " + last_inbound_at + ") RETURNING id");
    }

    std::string add_message(const std::string& account, const std::string& conversation, const MessageSpec& spec = {}) {
        return db.query_value(
            "INSERT INTO messages (account_id, conversation_id, wa_message_id, direction, type, body, status,"
            " timestamp" +
            spec.extra_columns + ") VALUES ('" + account + "', '" + conversation + "', " +
            sql_text(spec.wa_message_id) + ", '" + spec.direction + "', '" + spec.type + "', " + sql_text(spec.body) +
            ", '" + spec.status + "', " + spec.timestamp + spec.extra_values + ") RETURNING id");
    }

    RawResponse get(const std::string& target, const std::string& token) {
        return testing::get(server_.port(), target, token);
    }
    RawResponse post(const std::string& target, const std::string& token) {
        return testing::post(server_.port(), target, token);
    }
    static nlohmann::json json_of(const RawResponse& response) { return nlohmann::json::parse(response.body); }
    static InboxServerOptions server_options(const std::string& graph_base,
                                             const std::optional<std::string>& redis_url) {
        InboxServerOptions options;
        options.graph_base = graph_base;
        options.redis_url = redis_url;
        return options;
    }

    TestDatabase db;
    // Users (JWT subjects) unique to the test: a shared Redis keeps per-user entries apart across tests.
    const std::string alice_id = "alice-" + db.name();
    const std::string bob_id = "bob-" + db.name();
    InboxServer server_;
    std::string account_a;
    std::string account_b;
    std::string alice;  // tokens
    std::string bob;

private:
    int next_wa_id_ = 1000;
};

}  // namespace inbox::testing
