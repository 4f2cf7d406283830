package org.pathways.learner.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/**
 * Where a page of the trail ends: the time and id of its last entry. The trail is ordered by (time, id), so a page
 * after a cursor neither skips nor repeats an entry, even when entries share a time or new ones are written
 * meanwhile. Opaque to clients (base64url text).
 */
record AuditCursor(Instant at, String id) {

    static AuditCursor after(AuditEntry entry) {
        return new AuditCursor(entry.at(), entry.id());
    }

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((at.toEpochMilli() + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a cursor this service handed out; anything else is a 400. */
    static AuditCursor decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            String id = text.substring(colon + 1);
            if (colon < 1 || !id.matches("aud-[0-9a-f-]{36}")) {
                throw new IllegalArgumentException("not a cursor");
            }
            return new AuditCursor(Instant.ofEpochMilli(Long.parseLong(text.substring(0, colon))), id);
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    "\"after\" must be a cursor from this trail's Link header.");
        }
    }
}
