package org.pathways.referral.web;

import java.util.List;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.ETag;
import org.springframework.http.HttpStatus;

/**
 * The version of a referral a change was asked for: from the {@code If-Match} header (the {@code ETag} the caller
 * was given: {@code "3"}) or, for clients written before ETags, the {@code version} in the body. Both may be sent
 * when they agree; when they differ the request contradicts itself (400 {@code version-mismatch}). {@code If-Match:
 * *} asks for no particular version. A weak or non-numeric tag, or several tags, are a 400.
 *
 * @param value the version expected, or null when any will do
 */
public record ExpectedVersion(Long value) {

    public static final ExpectedVersion ANY = new ExpectedVersion(null);

    /**
     * @param required whether the change must name a version (a state change does; without one it is 428)
     */
    public static ExpectedVersion of(String ifMatch, Long bodyVersion, boolean required) {
        if (ifMatch == null || ifMatch.isBlank()) {
            if (bodyVersion == null && required) {
                throw new ProblemException(HttpStatus.PRECONDITION_REQUIRED, "precondition-required",
                        "Say which version of the referral you saw: an If-Match header with its ETag, or its "
                                + "version in the body.");
            }
            return new ExpectedVersion(bodyVersion);
        }
        Long fromHeader = parse(ifMatch);
        if (fromHeader != null && bodyVersion != null && !fromHeader.equals(bodyVersion)) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "version-mismatch",
                    "The If-Match header and the version in the body name different versions; send one.");
        }
        return new ExpectedVersion(fromHeader != null ? fromHeader : bodyVersion);
    }

    private static Long parse(String ifMatch) {
        List<ETag> tags;
        try {
            tags = ETag.parse(ifMatch);
        } catch (RuntimeException malformed) {
            tags = List.of();
        }
        if (tags.size() != 1 || tags.getFirst().weak()) {
            throw invalid();
        }
        ETag tag = tags.getFirst();
        if (tag.isWildcard()) {
            return null;
        }
        if (!tag.tag().matches("[0-9]{1,18}")) {
            throw invalid();
        }
        return Long.parseLong(tag.tag());
    }

    private static ProblemException invalid() {
        return new ProblemException(HttpStatus.BAD_REQUEST, "invalid-if-match",
                "If-Match takes one strong ETag of this referral, as given by its ETag header (e.g. \"3\"), or *.");
    }

    /** Whether a referral at {@code current} is the one the caller saw. */
    public boolean matches(long current) {
        return value == null || value == current;
    }

    /** The ETag of a referral's version. */
    public static String etag(Long version) {
        return "\"" + version + "\"";
    }
}
