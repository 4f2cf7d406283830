package org.pathways.referral.inbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.validation.ResourceId;
import org.springframework.http.HttpStatus;

/**
 * Where a page ends: the (submittedAt, id) of its last referral, opaque to clients. Keyset paging stays fast at any
 * depth and never skips or repeats a referral when new ones arrive.
 */
record InboxCursor(Instant submittedAt, String id) {

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((submittedAt.toEpochMilli() + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    static InboxCursor decode(String cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            String id = decoded.substring(colon + 1);
            if (colon < 1 || !id.matches(ResourceId.PATTERN)) {
                throw new IllegalArgumentException("malformed");
            }
            return new InboxCursor(Instant.ofEpochMilli(Long.parseLong(decoded.substring(0, colon))), id);
        } catch (IllegalArgumentException malformed) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "bad-cursor",
                    "This cursor is not one this API gave out.");
        }
    }
}
