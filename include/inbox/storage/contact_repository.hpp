#pragma once
// Contacts as the contact-info route shows them: the stored row and the latest inbound time over the contact's
// conversations, with the caller's membership in the same statement (another account's contact is not found).
#include "inbox/storage/db_lane.hpp"
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "inbox/domain/time.hpp"

namespace inbox::storage {

class DbPool;

struct StoredContact {
    std::string id;
    std::string account_id;
    std::string wa_id;
    std::optional<std::string> name;          // set by an agent
    std::optional<std::string> profile_name;  // from WhatsApp, refreshed by every webhook
    domain::TimePoint created_at;
    domain::TimePoint updated_at;
    std::optional<domain::TimePoint> last_inbound_at;
};

class ContactRepository {
public:
    explicit ContactRepository(DbPool& pool) : lane_(pool, "contacts") {}

    // nullopt: no such contact for this user.
    boost::asio::awaitable<std::optional<StoredContact>> find(std::string user_id, std::string contact_id);

private:
    DbLane lane_;
};

}  // namespace inbox::storage
