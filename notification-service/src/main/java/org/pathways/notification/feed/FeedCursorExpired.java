package org.pathways.notification.feed;

import java.util.Map;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/**
 * A cursor older than the feed's retention: entries after it were purged, so reading on from it would silently skip
 * them. Answered 410 {@code feed-cursor-expired} with {@code oldestCursor}, the cursor to read on from knowingly.
 */
class FeedCursorExpired extends ProblemException {

    FeedCursorExpired(long oldestCursor) {
        super(HttpStatus.GONE, "feed-cursor-expired", "Entries after this cursor were deleted under the feed's "
                + "retention; read on from oldestCursor (what came before it is no longer available).",
                Map.of("oldestCursor", oldestCursor));
    }
}
