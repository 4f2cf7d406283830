package org.pathways.catalogue.search;

import java.util.List;
import java.util.Map;

/**
 * One page of results, best first; {@code nextCursor} fetches the next page, null on the last. {@code total} counts
 * every result (all pages), and {@code facets} counts them by {@code kind}, {@code level}, {@code locality},
 * {@code language} and {@code accessibility} (value → count, most first), so a client can offer the next filter.
 */
public record SearchResults(List<SearchHit> items, boolean truncated, String nextCursor, long total,
                            Map<String, Map<String, Long>> facets) {
}
