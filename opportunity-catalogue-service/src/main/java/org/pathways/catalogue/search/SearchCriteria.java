package org.pathways.catalogue.search;

import java.time.LocalDate;
import java.util.Set;

import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.events.opportunity.OpportunityKind;

/**
 * A catalogue search: free text, then filters that all apply. {@code near} (with {@code withinKm}) keeps
 * opportunities with a venue that close (online ones too, unless {@code inPersonOnly}); {@code locality} keeps those
 * with a venue in it.
 */
public record SearchCriteria(String text, String locality, Point near, Double withinKm, OpportunityKind kind,
                             String level, String language, Set<AccessibilityFeature> accessibility,
                             LocalDate startsAfter, LocalDate startsBefore, boolean hasPlaces, boolean free,
                             SearchCursor after, int limit) {

    public record Point(double latitude, double longitude) {
    }

    public boolean ranksByRelevance() {
        return text != null || near != null;
    }
}
