package org.pathways.learner.search;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/**
 * Where a page of results ends: the id of the last record looked at. Results are ordered by record id, which never
 * changes, so a page after a cursor neither skips nor repeats a learner. Opaque to clients (base64url text).
 */
record SearchCursor(String afterId) {

    String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(afterId.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a cursor this service handed out; anything else is a {@code 400}. */
    static SearchCursor decode(String cursor) {
        try {
            String id = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!id.matches("[A-Za-z0-9._:-]{1,100}")) {
                throw new IllegalArgumentException("not a cursor");
            }
            return new SearchCursor(id);
        } catch (IllegalArgumentException notACursor) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    "\"cursor\" must be a cursor from a search's Link header.");
        }
    }
}
