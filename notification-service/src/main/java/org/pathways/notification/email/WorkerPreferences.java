package org.pathways.notification.email;

import java.time.Instant;
import java.util.Set;

import org.pathways.notification.notice.NoticeKind;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A worker's own notification preferences: their e-mail address, the language they read, and which notices they
 * want by e-mail. Set by the worker (the caller), per agency they act for; the address is personal data, so it is
 * kept here only, never logged or put in an event, and the document is deleted when the worker deletes it.
 */
@Document("worker_preferences")
@CompoundIndex(name = "opted_in", def = "{'agencyId': 1, 'notices': 1}")
record WorkerPreferences(@Id String id, String agencyId, String userId, String email, String language,
                         Set<NoticeKind> notices, Instant updatedAt) {

    static String idOf(String agencyId, String userId) {
        return agencyId + "/" + userId;
    }

    boolean wants(NoticeKind kind) {
        return notices != null && notices.contains(kind);
    }
}
