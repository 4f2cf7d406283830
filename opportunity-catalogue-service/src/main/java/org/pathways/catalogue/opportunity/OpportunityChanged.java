package org.pathways.catalogue.opportunity;

/**
 * A domain event inside this instance: the stored opportunity {@code id} has just changed (saved through the
 * outbox). Raised after the write, so a listener reading the store sees the change; what other instances changed
 * reaches them through the opportunity topic instead.
 */
public record OpportunityChanged(String opportunityId) {
}
