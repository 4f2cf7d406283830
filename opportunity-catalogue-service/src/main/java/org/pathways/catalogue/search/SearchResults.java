package org.pathways.catalogue.search;

import java.util.List;

/** One page of results, best first; {@code nextCursor} fetches the next page, null on the last. */
public record SearchResults(List<SearchHit> items, boolean truncated, String nextCursor) {
}
