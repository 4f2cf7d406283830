package org.pathways.catalogue.search;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/**
 * Where a page of results ended: the sort key of its last item. Results are ordered by {@code rank} (lower is
 * better: minus the relevance score, or the distance), then newest published first, then id; the next page is
 * everything after the key. Opaque to clients.
 */
public record SearchCursor(double rank, long publishedAtMillis, String id) {

    static final Comparator<SearchCursor> ORDER = Comparator.comparingDouble(SearchCursor::rank)
            .thenComparing(Comparator.comparingLong(SearchCursor::publishedAtMillis).reversed())
            .thenComparing(SearchCursor::id);

    static SearchCursor of(double rank, Instant publishedAt, String id) {
        return new SearchCursor(rank, publishedAt == null ? 0 : publishedAt.toEpochMilli(), id);
    }

    boolean isBefore(SearchCursor other) {
        return ORDER.compare(this, other) < 0;
    }

    String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (rank + "|" + publishedAtMillis + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    static SearchCursor decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8)
                    .split("\\|", 3);
            if (parts.length != 3 || !parts[2].matches("[A-Za-z0-9._:-]{1,64}")) {
                throw new IllegalArgumentException("cursor");
            }
            return new SearchCursor(Double.parseDouble(parts[0]), Long.parseLong(parts[1]), parts[2]);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "bad-cursor", "The cursor is not one this API gave.");
        }
    }
}
