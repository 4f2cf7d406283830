package org.pathways.catalogue.hsds;

import java.util.ArrayList;
import java.util.List;

/**
 * An import's running account, kept as it goes (and stored with a job, so a job resumed after a restart goes on
 * counting): records read, each table's outcomes, the findings.
 */
class ImportProgress {

    /** Findings listed in a report; beyond these they are only counted (a report stays a bounded document). */
    static final int MAX_FINDINGS = 5_000;

    /** What became of one organization or service. */
    enum Outcome {
        CREATED, UPDATED, UNCHANGED, REFUSED;

        /**
         * What the record's import did, this being what its last try found to do, when an earlier try's write (that
         * was to do {@code inDoubt}; null if none) failed in the store: such a write may have landed all the same, its
         * acknowledgement lost, and then the last try finds nothing left to do, or an update to what it created. The
         * record counts as what that write did: created stays created, updated stays updated.
         */
        Outcome afterWriteInDoubt(Outcome inDoubt) {
            if (inDoubt == null || this == REFUSED || this == CREATED) {
                return this;
            }
            return this == UNCHANGED || inDoubt == CREATED ? inDoubt : this;
        }

        /** Of two writes in doubt on one record, what the record did if either landed: a creation is the first. */
        static Outcome inDoubt(Outcome earlier, Outcome later) {
            return earlier == CREATED ? CREATED : later;
        }
    }

    /** One table's outcomes. */
    static class Tally {
        int created;
        int updated;
        int unchanged;
        int refused;

        void add(Outcome outcome) {
            switch (outcome) {
                case CREATED -> created++;
                case UPDATED -> updated++;
                case UNCHANGED -> unchanged++;
                case REFUSED -> refused++;
            }
        }

        ImportReport.Counts counts() {
            return new ImportReport.Counts(created, updated, unchanged, refused);
        }
    }

    int read;
    Tally organizations = new Tally();
    Tally services = new Tally();
    List<ImportFinding> warnings = new ArrayList<>();
    List<ImportFinding> refused = new ArrayList<>();
    int findingsLeftOut;

    void organization(Outcome outcome, List<ImportFinding> findings) {
        read++;
        organizations.add(outcome);
        note(findings);
    }

    void service(Outcome outcome, List<ImportFinding> findings) {
        read++;
        services.add(outcome);
        note(findings);
    }

    /** Findings about the feed as a whole (parts that are not records, duplicates, unlinked rows). */
    void note(List<ImportFinding> findings) {
        for (ImportFinding finding : findings) {
            if (warnings.size() + refused.size() >= MAX_FINDINGS) {
                findingsLeftOut++;
            } else if (ImportIssue.valueOf(finding.code()).refuses) {
                refused.add(finding);
            } else {
                warnings.add(finding);
            }
        }
    }

    int warningCount() {
        return warnings.size();
    }

    ImportReport report() {
        return new ImportReport(read, organizations.counts(), services.counts(), List.copyOf(warnings),
                List.copyOf(refused), findingsLeftOut);
    }
}
