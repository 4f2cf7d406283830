package org.pathways.catalogue.hsds;

import java.util.List;

/** What an import did: per table, how many records were created, updated or already the same, and what it skipped. */
public record ImportReport(Counts organizations, Counts services, List<Skipped> skipped) {

    public record Counts(int created, int updated, int unchanged) {
    }

    /**
     * A record (or part of one) left out: the table it came from, its id if it had a readable one, a stable
     * {@code code} with its fixed {@code reason}, and for {@code INVALID_FIELD} the HSDS {@code field}s at fault
     * (for {@code NOT_MAPPED}, the HSDS fields with a value the catalogue has no place for).
     */
    public record Skipped(String table, String id, String code, String field, String reason) {
    }
}
