package org.pathways.notification.feed;

import java.time.Instant;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An agency's own event feed, for its system to pull: what it missed while down, or everything if it prefers pulling
 * to webhooks. The cursor is the {@code sequence} of the last entry seen ({@code next} in the answer); 0 is the start.
 * {@code next} may be past the last entry shown (numbers no event has, read past). A cursor before entries purged under
 * the retention is answered 410 {@code feed-cursor-expired}, with the oldest
 * cursor that can still be read from ({@code oldestCursor}).
 */
@RestController
@RequestMapping("/api/feed")
class FeedController {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AgencyFeed feed;

    FeedController(AgencyFeed feed) {
        this.feed = feed;
    }

    record Entry(long sequence, Instant recordedAt, JsonNode event) {
    }

    /** A page of the feed and the cursor to ask with next ({@code after} again when there is nothing new). */
    record Page(List<Entry> events, long next) {
    }

    @GetMapping
    Page read(Caller caller,
              @RequestParam(defaultValue = "0") @Min(0) long after,
              @RequestParam(defaultValue = "100") @Min(1) @Max(500) int limit) {
        if (!caller.has(Role.AGENCY_SYSTEM) && !caller.has(Role.AGENCY_ADMIN)) {
            throw ProblemException.forbidden("Only an agency's system or admin reads the agency's event feed.");
        }
        AgencyFeed.Page page = feed.after(caller.agencyId(), after, limit);
        List<Entry> entries = page.entries().stream()
                .map(e -> new Entry(e.sequence(), e.recordedAt(), JSON.readTree(e.event()))).toList();
        return new Page(entries, page.next());
    }
}
