#include "inbox/storage/template_repository.hpp"

#include "inbox/storage/db_pool.hpp"
#include "inbox/storage/pg_array.hpp"
#include "pg_fields.hpp"

namespace inbox::storage {
namespace {

// No row at all for a non-member (→ 404); one row of NULLs for a member without templates.
constexpr Query kListTemplates{
    "templates_list",
    "WITH member AS MATERIALIZED ("
    "    SELECT account_id FROM account_members WHERE user_id = $1 AND account_id = $2::uuid)"
    " SELECT t.id::text, t.name, t.language, t.category, t.status, t.body_text, t.parameter_count, t.components::text"
    " FROM member LEFT JOIN message_templates t ON t.account_id = member.account_id"
    " ORDER BY t.name, t.language"};

// The send path, which has checked membership already.
constexpr Query kFindTemplate{
    "templates_find",
    "SELECT t.id::text, t.name, t.language, t.category, t.status, t.body_text, t.parameter_count, t.components::text"
    " FROM message_templates t WHERE t.account_id = $1::uuid AND t.name = $2 AND t.language = $3"};

constexpr Query kGraphCredentials{"templates_graph_credentials",
                                  "SELECT a.waba_id, a.access_token FROM accounts a"
                                  " JOIN account_members m ON m.account_id = a.id AND m.user_id = $1"
                                  " WHERE a.id = $2::uuid"};

// Arrays travel as text literals (libpqxx 6.4 cannot bind arrays). DISTINCT ON keeps the last listed duplicate,
// since ON CONFLICT cannot touch one row twice; inserting in (name, language) order keeps concurrent syncs from
// deadlocking on each other's rows.
constexpr Query kUpsertTemplates{
    "templates_upsert",
    "INSERT INTO message_templates"
    "   (account_id, wa_template_id, name, language, category, status, body_text, parameter_count, components)"
    " SELECT DISTINCT ON (t.name, t.language) m.account_id, nullif(t.wa_id, ''), t.name, t.language,"
    "        nullif(t.category, ''), t.status, nullif(t.body_text, ''), t.parameter_count,"
    "        nullif(t.components, '')::jsonb"
    " FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[])"
    "      WITH ORDINALITY AS t(wa_id, name, language, category, status, body_text, parameter_count, components,"
    "                           position)"
    " JOIN account_members m ON m.account_id = $2::uuid AND m.user_id = $1"
    " ORDER BY t.name, t.language, t.position DESC"
    " ON CONFLICT (account_id, name, language) DO UPDATE SET"
    "   wa_template_id = EXCLUDED.wa_template_id, category = EXCLUDED.category, status = EXCLUDED.status,"
    "   body_text = EXCLUDED.body_text, parameter_count = EXCLUDED.parameter_count,"
    "   components = EXCLUDED.components, updated_at = now()"};

constexpr Query kClaimDailySubmission{
    "templates_claim_daily_submission",
    "UPDATE accounts a SET template_submitted_at = now()"
    " WHERE a.id = $1::uuid AND (a.template_submitted_at IS NULL OR a.template_submitted_at < now() - interval '1 day')"
    " RETURNING a.waba_id, a.access_token"};

constexpr Query kReleaseDailySubmission{"templates_release_daily_submission",
                                        "UPDATE accounts SET template_submitted_at = NULL WHERE id = $1::uuid"};

constexpr Query kStoreSubmitted{
    "templates_store_submitted",
    "INSERT INTO message_templates"
    "   (account_id, wa_template_id, name, language, category, status, body_text, parameter_count)"
    " VALUES ($1::uuid, nullif($2, ''), $3, $4, nullif($5, ''), $6, nullif($7, ''), $8)"
    " ON CONFLICT (account_id, name, language) DO UPDATE SET"
    "   wa_template_id = EXCLUDED.wa_template_id, category = EXCLUDED.category, status = EXCLUDED.status,"
    "   body_text = EXCLUDED.body_text, parameter_count = EXCLUDED.parameter_count, updated_at = now()"};

domain::StoredTemplate template_of(const pqxx::row& row) {
    return {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
            optional_text(row[3]),    row[4].as<std::string>(), optional_text(row[5]),
            row[6].as<int>(),         optional_text(row[7])};
}

std::optional<std::vector<domain::StoredTemplate>> read_templates(const pqxx::result& result) {
    if (result.empty()) return std::nullopt;
    std::vector<domain::StoredTemplate> templates;
    for (const auto& row : result) {
        if (!row[0].is_null()) templates.push_back(template_of(row));
    }
    return templates;
}

// One text-array literal per column.
struct TemplateColumns {
    std::vector<std::string> wa_ids, names, languages, categories, statuses, bodies, parameter_counts, components;
};

TemplateColumns columns_of(const std::vector<SyncedTemplate>& templates) {
    TemplateColumns columns;
    for (const auto& t : templates) {
        columns.wa_ids.push_back(t.wa_template_id);
        columns.names.push_back(t.name);
        columns.languages.push_back(t.language);
        columns.categories.push_back(t.category);
        columns.statuses.push_back(t.status);
        columns.bodies.push_back(t.body_text);
        columns.parameter_counts.push_back(std::to_string(t.parameter_count));
        columns.components.push_back(t.components_json);
    }
    return columns;
}

}  // namespace

// Not coroutines, on purpose (GCC 12, see docs/ARCHITECTURE.md).
boost::asio::awaitable<std::optional<std::vector<domain::StoredTemplate>>> TemplateRepository::list(
    std::string user_id, std::string account_id) {
    return lane_.run([user_id = std::move(user_id), account_id = std::move(account_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return read_templates(db.exec(tx, kListTemplates, user_id, account_id));
    });
}

boost::asio::awaitable<std::optional<domain::StoredTemplate>> TemplateRepository::find(std::string account_id,
                                                                                      std::string name,
                                                                                      std::string language) {
    return lane_.run([account_id = std::move(account_id), name = std::move(name),
                      language = std::move(language)](DbConnection& db) -> std::optional<domain::StoredTemplate> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kFindTemplate, account_id, name, language);
        if (result.empty()) return std::nullopt;
        return template_of(result[0]);
    });
}

boost::asio::awaitable<std::optional<GraphCredentials>> TemplateRepository::graph_credentials(std::string user_id,
                                                                                              std::string account_id) {
    return lane_.run([user_id = std::move(user_id),
                      account_id = std::move(account_id)](DbConnection& db) -> std::optional<GraphCredentials> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kGraphCredentials, user_id, account_id);
        if (result.empty()) return std::nullopt;
        return GraphCredentials{result[0][0].as<std::string>(), result[0][1].as<std::string>()};
    });
}

boost::asio::awaitable<std::size_t> TemplateRepository::upsert(std::string user_id, std::string account_id,
                                                               std::vector<SyncedTemplate> templates) {
    return lane_.run([user_id = std::move(user_id), account_id = std::move(account_id),
                      columns = columns_of(templates)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());  // one autocommitted statement
        auto result = db.exec(tx, kUpsertTemplates, user_id, account_id, to_pg_text_array(columns.wa_ids),
                              to_pg_text_array(columns.names), to_pg_text_array(columns.languages),
                              to_pg_text_array(columns.categories), to_pg_text_array(columns.statuses),
                              to_pg_text_array(columns.bodies), to_pg_text_array(columns.parameter_counts),
                              to_pg_text_array(columns.components));
        return static_cast<std::size_t>(result.affected_rows());
    });
}

}  // namespace inbox::storage

namespace inbox::storage {

boost::asio::awaitable<std::optional<GraphCredentials>> TemplateRepository::claim_daily_submission(
    std::string account_id) {
    return lane_.run([account_id = std::move(account_id)](DbConnection& db) -> std::optional<GraphCredentials> {
        pqxx::nontransaction tx(db.raw());
        auto result = db.exec(tx, kClaimDailySubmission, account_id);
        if (result.empty()) return std::nullopt;
        return GraphCredentials{result[0][0].as<std::string>(), result[0][1].as<std::string>()};
    });
}

boost::asio::awaitable<bool> TemplateRepository::release_daily_submission(std::string account_id) {
    return lane_.run([account_id = std::move(account_id)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return db.exec(tx, kReleaseDailySubmission, account_id).affected_rows() == 1;
    });
}

boost::asio::awaitable<bool> TemplateRepository::store_submitted(std::string account_id, SyncedTemplate submitted) {
    return lane_.run([account_id = std::move(account_id), t = std::move(submitted)](DbConnection& db) {
        pqxx::nontransaction tx(db.raw());
        return db.exec(tx, kStoreSubmitted, account_id, t.wa_template_id, t.name, t.language, t.category, t.status,
                       t.body_text, t.parameter_count)
                   .affected_rows() == 1;
    });
}

}  // namespace inbox::storage
