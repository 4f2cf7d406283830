package org.pathways.catalogue.matching;

import java.util.List;

import org.pathways.catalogue.opportunity.OpportunityView;

/**
 * Ranked matches with the reasons for each, and the relevant opportunities left out with the reasons why
 * ({@code NOT_ELIGIBLE}, {@code FULL}, {@code TOO_FAR}, {@code LANGUAGE}, {@code NOT_AVAILABLE},
 * {@code NOT_AFFORDABLE}, {@code LEVEL_TOO_HIGH}).
 */
public record MatchResults(List<Match> matches, List<Exclusion> excluded, int considered) {

    public record Match(OpportunityView opportunity, double score, List<MatchReason> reasons) {
    }

    public record Exclusion(String opportunityId, String title, List<MatchReason> reasons) {
    }
}
