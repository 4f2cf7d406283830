package org.pathways.catalogue.hsds;

import java.time.Instant;

/**
 * A background import as its owner sees it: {@code status} (QUEUED, RUNNING, INTERRUPTED, DONE), how many of the
 * feed's {@code total} organizations and services were {@code read}, {@code imported} (created, updated or already
 * the same), {@code refused}, how many {@code warnings} were reported, and the report so far (complete once DONE).
 * An INTERRUPTED job stopped because the catalogue's store failed (not because of the feed): it was
 * {@code interruptedAt}, and {@code resumesAt} it goes on from the record it could not import.
 */
record ImportJobView(String id, String status, int total, int read, int imported, int refused, int warnings,
                     Instant createdAt, Instant startedAt, Instant finishedAt, Instant interruptedAt,
                     Instant resumesAt, ImportReport report) {

    static ImportJobView of(ImportJob job) {
        ImportReport report = job.progress.report();
        int refused = report.organizations().refused() + report.services().refused();
        boolean interrupted = job.status == ImportJob.Status.INTERRUPTED;
        return new ImportJobView(job.id, job.status.name(), job.total, report.read(), report.read() - refused,
                refused, report.warnings().size(), job.createdAt, job.startedAt, job.finishedAt, job.interruptedAt,
                interrupted ? job.leaseUntil : null, report);
    }
}
