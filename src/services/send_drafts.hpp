#pragma once
// The drafts SendService's files build from stored things. Internal to src/services/.
#include "inbox/storage/outbound_repository.hpp"
#include "inbox/storage/upload_repository.hpp"

namespace inbox::services::send_drafts {

// An upload's bytes as a send carries them: a media send's, or a template header's.
inline storage::MediaDraft media_of(const storage::StoredUpload& upload) {
    storage::MediaDraft media;
    media.upload_id = upload.id;
    media.mime_type = upload.mime_type;
    media.sha256 = upload.sha256;
    media.file_size = upload.file_size;
    media.filename = upload.filename;
    media.graph_media_id = upload.graph_media_id;
    return media;
}

}  // namespace inbox::services::send_drafts
