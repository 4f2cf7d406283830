package org.pathways.platform.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/**
 * A client's {@code Idempotency-Key}, as a service keeps it beside what the request made: a digest of the caller's
 * agency and the key, so that two agencies' keys never meet and the key as sent (which may be any text) is never
 * stored. The same request sent again with the same key answers what the first made ({@code 200}) instead of making
 * it twice; the key sent with a different request is a {@code 422 idempotency-key-reused}.
 */
public final class IdempotencyKeys {

    /** The request header. */
    public static final String HEADER = "Idempotency-Key";
    /** The answer's header saying whether it is a replay of an earlier answer. */
    public static final String REPLAYED = "Idempotent-Replayed";
    /** What a key may be: 1 to 128 printable ASCII characters, no spaces. */
    public static final String PATTERN = "[\\x21-\\x7E]+";

    private IdempotencyKeys() {
    }

    /** The digest kept for {@code idempotencyKey} sent by {@code agencyId}; null when no key was sent. */
    public static String digest(String agencyId, String idempotencyKey) {
        if (idempotencyKey == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    (agencyId + '\u001f' + idempotencyKey).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The id of what a request sent with a key makes ({@code digest}, from {@link #digest}): {@code prefix-} and a
     * name-based UUID of the digest, so that the same request sent again, or twice at once, finds the one record
     * the first made by its {@code _id} (which the store keeps unique) instead of making a second.
     */
    public static String idFor(String prefix, String digest) {
        return prefix + "-" + UUID.nameUUIDFromBytes(digest.getBytes(StandardCharsets.UTF_8));
    }

    /** The answer to a key sent again with a different request ({@code what}: "note", "learner"…). */
    public static ProblemException reused(String what) {
        return new ProblemException(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
                "This Idempotency-Key was already used for a different " + what + ".");
    }
}
