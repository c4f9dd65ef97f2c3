#pragma once
// An account's message templates: the list, and the upsert of what the Graph API lists. Every statement scopes by
// the caller's membership itself, like the inbox reads.
#include "inbox/storage/db_lane.hpp"
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "inbox/domain/stored_template.hpp"

namespace inbox::storage {

class DbPool;

// What the Graph call needs. The access token leaves the database only for that call: never log or cache it.
struct GraphCredentials {
    std::string waba_id;
    std::string access_token;
};

// A template as the Graph API lists it.
struct SyncedTemplate {
    std::string wa_template_id;
    std::string name;
    std::string language;
    std::string category;
    std::string status;
    std::string body_text;
    int parameter_count = 0;
    std::string components_json;  // Meta's components array, "" when it listed none
};

class TemplateRepository {
public:
    explicit TemplateRepository(DbPool& pool) : lane_(pool, "templates") {}

    // Ordered by name, language; nullopt when the user is not a member of the account (or it does not exist).
    boost::asio::awaitable<std::optional<std::vector<domain::StoredTemplate>>> list(std::string user_id,
                                                                                    std::string account_id);

    // The send path, which has checked membership already: the account's template of that name and language.
    boost::asio::awaitable<std::optional<domain::StoredTemplate>> find(std::string account_id, std::string name,
                                                                       std::string language);

    // nullopt when the user is not a member of the account (or it does not exist).
    boost::asio::awaitable<std::optional<GraphCredentials>> graph_credentials(std::string user_id,
                                                                              std::string account_id);

    // One INSERT ... ON CONFLICT (account_id, name, language) DO UPDATE for the whole list (the last of duplicate
    // name/language pairs wins); answers how many rows were written (0 when the user is no longer a member).
    boost::asio::awaitable<std::size_t> upsert(std::string user_id, std::string account_id,
                                               std::vector<SyncedTemplate> templates);

    // The send path, which has checked membership already. At most one re-engagement template submission per
    // account and day, across every instance: the first caller of the day gets the credentials for the call.
    boost::asio::awaitable<std::optional<GraphCredentials>> claim_daily_submission(std::string account_id);
    // Gives the day's submission back after a call that never reached Meta, so a later send may try again.
    boost::asio::awaitable<bool> release_daily_submission(std::string account_id);
    // The template Meta accepted for review (status PENDING until its status webhook).
    boost::asio::awaitable<bool> store_submitted(std::string account_id, SyncedTemplate submitted);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
