package org.pathways.catalogue.matching;

/** Why an opportunity matched or was excluded: a stable code and a short explanation. */
public record MatchReason(String code, String detail) {
}
