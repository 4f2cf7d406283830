package org.pathways.web.referral;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import org.pathways.web.api.PathwaysApi;

/**
 * One learner's referrals that the worker's agency made or received, newest first: the referral API's inbox and
 * outbox filtered by {@code learnerId}, so older ones are not lost behind other learners' newer referrals. The API
 * lists only referrals the agency is party to; each line says which way it went ({@code direction}).
 */
@Component
public class LearnersReferrals {

    /** A learner has a handful of referrals: this bounds the pages followed for one who somehow has thousands. */
    private static final int PAGE = 100;
    private static final int MAX_PAGES = 10;

    private final PathwaysApi api;

    LearnersReferrals(PathwaysApi api) {
        this.api = api;
    }

    /** The inbox lines (no need, summary or notes), each with {@code direction} "outgoing" or "incoming". */
    public List<Map<String, Object>> of(String learnerId) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        for (String direction : List.of("outgoing", "incoming")) {
            String cursor = null;
            int pages = 0;
            do {
                String after = cursor;
                // the learner and the API's cursor as URI variables: encoded as values, whatever they hold
                Map<String, Object> values = new LinkedHashMap<>();
                values.put("learnerId", learnerId);
                if (after != null) {
                    values.put("cursor", after);
                }
                Map<String, Object> page = api.get(uri -> {
                    uri.path("/api/referrals").queryParam("direction", direction)
                            .queryParam("learnerId", "{learnerId}").queryParam("limit", PAGE);
                    if (after != null) {
                        uri.queryParam("cursor", "{cursor}");
                    }
                    return uri.build(values);
                });
                if (page.get("items") instanceof List<?> items) {
                    for (Object item : items) {
                        if (item instanceof Map<?, ?> line && line.get("id") != null) {
                            Map<String, Object> copy = new LinkedHashMap<>();
                            line.forEach((key, value) -> copy.put(key.toString(), value));
                            copy.put("direction", direction);
                            found.putIfAbsent(line.get("id").toString(), copy);
                        }
                    }
                }
                cursor = page.get("next") instanceof String next ? next : null;
            } while (cursor != null && ++pages < MAX_PAGES);
        }
        List<Map<String, Object>> referrals = new ArrayList<>(found.values());
        referrals.sort(Comparator.comparing((Map<String, Object> line) -> submittedAt(line),
                Comparator.nullsLast(Comparator.reverseOrder())));
        return referrals;
    }

    private static Instant submittedAt(Map<String, Object> line) {
        return line.get("submittedAt") == null ? null : Instant.parse(line.get("submittedAt").toString());
    }
}
