package org.pathways.catalogue.hsds;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A background import of an HSDS feed: who started it (the platform administrator's agency, the only one that sees
 * it), where it is ({@link Status}, {@code position} in its staged records of {@code total}) and its running
 * {@link ImportProgress}. A replica works on a job while it holds the lease ({@code leaseOwner} until
 * {@code leaseUntil}), renewed with every batch; a lease that runs out (the replica stopped) lets any replica resume
 * the job from {@code position}. A job the store failed under is {@code INTERRUPTED} at {@code position} (the record
 * it could not import, not counted) and is claimed again once {@code leaseUntil} has passed. Finished jobs are kept
 * {@value #KEPT_DAYS} days.
 */
@Document("hsdsImports")
@CompoundIndex(name = "claimable", def = "{'status': 1, 'createdAt': 1}")
class ImportJob {

    static final int KEPT_DAYS = 30;

    enum Status { QUEUED, RUNNING, INTERRUPTED, DONE }

    @Id
    String id;
    String agencyId;
    Status status;
    int total;
    int position;
    ImportProgress progress = new ImportProgress();
    Instant createdAt;
    Instant startedAt;
    @Indexed(name = "finished_expiry", expireAfter = KEPT_DAYS + "d")
    Instant finishedAt;
    /** When the store last failed under this job (it stopped, to resume at {@code leaseUntil}); null if never. */
    Instant interruptedAt;
    /** The record the store last failed on, and how many times in a row the job stopped there. */
    Integer interruptedAtRecord;
    int interruptions;
    /**
     * What the last write the job sent for {@code interruptedAtRecord} was to do, if the store failed on it: it may
     * have landed (its acknowledgement lost), so the record counts as that if the job then finds nothing to do.
     */
    ImportProgress.Outcome writeInDoubt;
    String leaseOwner;
    Instant leaseUntil;

    ImportJob() {
    }

    /** Whether the job stopped at record {@code seq} so often that it is taken for the record's fault now. */
    boolean gaveUpOn(int seq) {
        return interruptedAtRecord != null && interruptedAtRecord == seq
                && interruptions >= ImportJobs.INTERRUPTIONS_AT_ONE_RECORD;
    }

    /** What a write in doubt (see {@link #writeInDoubt}) sent for record {@code seq} before an interruption did. */
    ImportProgress.Outcome writeInDoubtAt(int seq) {
        return interruptedAtRecord != null && interruptedAtRecord == seq ? writeInDoubt : null;
    }

    ImportJob(String id, String agencyId, int total, Instant now) {
        this.id = id;
        this.agencyId = agencyId;
        this.status = Status.QUEUED;
        this.total = total;
        this.createdAt = now;
    }
}
