package org.pathways.catalogue.hsds;

import java.util.List;

/** What an import did: per table, how many records were created, updated or already the same, and what it skipped. */
public record ImportReport(Counts organizations, Counts services, List<Skipped> skipped) {

    public record Counts(int created, int updated, int unchanged) {
    }

    /** A record (or part of one) left out, with the table it came from, its id if it had one, and why. */
    public record Skipped(String table, String id, String reason) {
    }
}
