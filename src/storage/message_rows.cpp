#include "message_rows.hpp"

namespace inbox::storage {

domain::Message read_message(const pqxx::row& row, pqxx::row::size_type first) {
    auto at = [&](pqxx::row::size_type i) { return row[first + i]; };
    domain::Message message;
    message.id = at(0).as<std::string>();
    message.conversation_id = at(1).as<std::string>();
    message.wa_message_id = optional_text(at(2));
    message.direction = at(3).as<std::string>();
    message.type = at(4).as<std::string>();
    message.text = optional_text(at(5));
    message.status = at(6).as<std::string>();
    message.timestamp = time_from_micros(at(7));
    message.created_at = time_from_micros(at(8));
    if (!at(9).is_null()) {
        message.reply_to = domain::ReplyTo{at(9).as<std::string>(), optional_text(at(10)), std::nullopt};
        if (!at(22).is_null()) {
            message.reply_to->preview = domain::ReplyPreview{at(22).as<std::string>(), optional_text(at(23))};
        }
    }
    message.error_json = optional_text(at(11));
    if (!at(12).is_null()) {
        message.template_ref = domain::TemplateRef{at(12).as<std::string>(), optional_text(at(13)).value_or("")};
    }
    if (!at(14).is_null()) {
        message.media = domain::MessageMedia{optional_text(at(15)), optional_text(at(16)), optional_int64(at(17)),
                                             optional_text(at(18)), at(14).as<std::string>()};
    }
    if (!at(19).is_null()) message.content_json = at(19).as<std::string>();
    if (!at(20).is_null()) message.reactions_json = at(20).as<std::string>();
    message.author_user_id = optional_text(at(21));
    return message;
}

}  // namespace inbox::storage
