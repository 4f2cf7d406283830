package org.pathways.catalogue.hsds;

import java.util.List;

/**
 * What an import did: how many records it read; per table how many organizations and services were created, updated,
 * already the same or refused; the {@code warnings} (a record imported without some part of it, or a part of the feed
 * that is not a catalogue entry) and the {@code refused} records, each as an {@link ImportFinding}. At most
 * {@link ImportProgress#MAX_FINDINGS} findings are listed; {@code findingsLeftOut} counts the rest.
 */
public record ImportReport(int read, Counts organizations, Counts services, List<ImportFinding> warnings,
                           List<ImportFinding> refused, int findingsLeftOut) {

    public record Counts(int created, int updated, int unchanged, int refused) {
    }
}
