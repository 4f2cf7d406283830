package org.pathways.catalogue.search;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import org.pathways.catalogue.opportunity.OpportunityView;

/** One result: the opportunity, its relevance score (text searches) and its nearest venue's distance (near). */
public record SearchHit(@JsonUnwrapped OpportunityView opportunity, Double score, Double distanceKm) {
}
