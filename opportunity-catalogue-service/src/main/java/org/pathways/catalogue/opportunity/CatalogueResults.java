package org.pathways.catalogue.opportunity;

import java.util.List;

/**
 * One page of search results, newest first. {@code truncated} says more matched than one page holds (paging comes
 * later; narrow the search meanwhile).
 */
public record CatalogueResults(List<OpportunityView> items, boolean truncated) {
}
