package org.pathways.catalogue.hsds;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.mongodb.MongoException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import jakarta.annotation.PreDestroy;
import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.hsds.HsdsImport.BeforeWrite;
import org.pathways.catalogue.hsds.ImportProgress.Outcome;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.UncategorizedMongoDbException;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Service;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Large imports in the background. {@link #submit} stages the feed's records (organizations first) and queues a job;
 * one worker thread per replica claims queued jobs, and jobs whose lease ran out, and imports their records in
 * batches, saving the position and the running report after each batch.
 *
 * <p>After a restart: a job that was queued or half-way is picked up again (at start-up, and by the sweep every
 * {@link #SWEEP} on any replica once its lease of {@link #LEASE} has run out) from the last saved position. The
 * position and the report are saved together, so the records of the batch that was under way are imported again
 * and counted once: importing them again changes nothing that was already written (the import is idempotent).
 *
 * <p>A store failure is not the feed's fault: a record whose import the store fails (a command failing, a timeout,
 * a concurrent write) is tried again ({@link #STORE_ATTEMPTS} times in all, backing off); if the store still fails,
 * the job stops there as {@code INTERRUPTED}, that record neither counted nor refused, and is claimed again after
 * {@link #RESUME_AFTER} from that record. Only what the feed says can refuse a record.
 *
 * <p>A write the store applied but did not acknowledge fails like any other, and the next try finds nothing left to
 * do: the record is counted as what that write did (created, updated), told by {@link HsdsImport.BeforeWrite}, and
 * kept with the job ({@code writeInDoubt}) when it is interrupted at that record.
 */
@Service
class ImportJobs {

    static final Duration LEASE = Duration.ofMinutes(2);
    static final Duration SWEEP = Duration.ofSeconds(30);
    static final int BATCH = 100;
    static final int STORE_ATTEMPTS = 4;
    static final Duration FIRST_BACK_OFF = Duration.ofMillis(250);
    static final Duration RESUME_AFTER = Duration.ofMinutes(2);
    /** How many times in a row a job stops at one record before that record is refused ({@code NOT_STORED}). */
    static final int INTERRUPTIONS_AT_ONE_RECORD = 3;

    private static final Logger log = LoggerFactory.getLogger(ImportJobs.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MongoTemplate mongo;
    private final HsdsImport importer;
    private final Clock clock;
    private final String replica = UUID.randomUUID().toString();
    private final Retry storeRetry = Retry.of("hsds-import-store", RetryConfig.custom()
            .maxAttempts(STORE_ATTEMPTS)
            .intervalFunction(IntervalFunction.ofExponentialBackoff(FIRST_BACK_OFF, 2))
            .retryOnException(ImportJobs::isStoreFailure)
            .build());
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "hsds-import-jobs");
        thread.setDaemon(true);
        return thread;
    });

    ImportJobs(MongoTemplate mongo, HsdsImport importer, Clock clock) {
        this.mongo = mongo;
        this.importer = importer;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        worker.scheduleWithFixedDelay(this::drain, 0, SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }

    /** Stages a feed and queues its job for the caller's agency; the worker starts on it at once. */
    ImportJob submit(Caller caller, HsdsFeed feed) {
        ImportJob job = new ImportJob(UUID.randomUUID().toString(), caller.agencyId(), feed.size(), clock.instant());
        job.progress.note(feed.findings());
        List<StagedRecord> batch = new ArrayList<>();
        int seq = 0;
        for (JsonNode organization : feed.organizations()) {
            batch.add(new StagedRecord(null, job.id, seq++, StagedRecord.Table.ORGANIZATION, organization.toString()));
            flushIfFull(batch);
        }
        for (JsonNode service : feed.services()) {
            batch.add(new StagedRecord(null, job.id, seq++, StagedRecord.Table.SERVICE, service.toString()));
            flushIfFull(batch);
        }
        if (!batch.isEmpty()) {
            mongo.insert(batch, StagedRecord.class);
        }
        return queue(job);
    }

    /**
     * Stages the records of an HSDS JSON document as it is read ({@link HsdsJsonStream}, {@link StagedFeed}) and
     * queues its job. The document is read within {@code permit}: what was read is released when the records read
     * from it are written, and they are written once they hold half of what the permit admits (or
     * {@link StagedFeed#BATCH_BYTES}). A document refused part-way (not JSON, too many records, too large to hold)
     * leaves nothing behind: no job, and the records staged so far removed.
     */
    ImportJob submit(Caller caller, JsonParser document, String type, ImportAdmission.Permit permit) {
        String id = UUID.randomUUID().toString();
        StagedFeed staged = new StagedFeed(mongo, id, permit.bytes() / 2);
        HsdsFeed.Builder feed = new HsdsFeed.Builder(staged);
        ImportProgress progress = new ImportProgress();
        ImportJob job;
        try {
            HsdsJsonStream.read(document, type, feed, () -> {
                progress.note(feed.findings);
                feed.findings.clear();
                if (staged.writeIfFull(permit.held())) {
                    permit.released();
                }
            });
            job = new ImportJob(id, caller.agencyId(), staged.finish(), clock.instant());
            job.progress = progress;
        } catch (RuntimeException refused) {
            try {
                staged.discard();
            } catch (RuntimeException e) {
                log.warn("HSDS import {} refused; its staged records not removed ({})", id,
                        e.getClass().getSimpleName());
                refused.addSuppressed(e);
            }
            throw refused;
        }
        // Outside the try: a job whose insert failed may have been stored all the same (its acknowledgement lost), and
        // is then run from its staged records, which are kept; a job never stored leaves them with no job to run.
        return queue(job);
    }

    private ImportJob queue(ImportJob job) {
        mongo.insert(job);
        log.info("HSDS import job {} queued with {} records", job.id, job.total);
        worker.execute(this::drain);
        return job;
    }

    private void flushIfFull(List<StagedRecord> batch) {
        if (batch.size() >= 1000) {
            mongo.insert(new ArrayList<>(batch), StagedRecord.class);
            batch.clear();
        }
    }

    /** A job the caller may see: a platform administrator of the agency that started it; anyone else 404. */
    ImportJob find(Caller caller, String id) {
        ImportJob job = id.length() > 64 ? null : mongo.findById(id, ImportJob.class);
        if (job == null || !caller.has(Role.PLATFORM_ADMIN) || !caller.actsFor(job.agencyId)) {
            throw ProblemException.notFound("import", id);
        }
        return job;
    }

    /** Works through every claimable job. */
    void drain() {
        try {
            for (ImportJob job = claim(); job != null; job = claim()) {
                run(job);
            }
        } catch (RuntimeException e) {
            // The store is unreachable or the job's document unreadable: the lease runs out, the sweep retries.
            log.warn("HSDS import jobs paused: {}", e.getClass().getSimpleName());
        }
    }

    private ImportJob claim() {
        Instant now = clock.instant();
        Query claimable = Query.query(new Criteria().orOperator(
                        Criteria.where("status").is(ImportJob.Status.QUEUED),
                        Criteria.where("status").is(ImportJob.Status.RUNNING).and("leaseUntil").lt(now),
                        Criteria.where("status").is(ImportJob.Status.INTERRUPTED).and("leaseUntil").lt(now)))
                .with(Sort.by("createdAt"));
        return mongo.findAndModify(claimable, new Update().set("status", ImportJob.Status.RUNNING)
                        .set("leaseOwner", replica).set("leaseUntil", now.plus(LEASE)).min("startedAt", now),
                FindAndModifyOptions.options().returnNew(true), ImportJob.class);
    }

    private void run(ImportJob job) {
        log.info("HSDS import job {} running from record {} of {}", job.id, job.position, job.total);
        Map<String, Agency> providers = new HashMap<>();
        while (true) {
            List<StagedRecord> batch = mongo.find(Query.query(Criteria.where("jobId").is(job.id)
                    .and("seq").gte(job.position)).with(Sort.by("seq")).limit(BATCH), StagedRecord.class);
            if (batch.isEmpty()) {
                break;
            }
            for (StagedRecord record : batch) {
                try {
                    importRecord(job, record, providers);
                } catch (StoreUnavailable e) {
                    interrupt(job, e);
                    return;
                }
                job.position = record.seq() + 1;
            }
            if (!saveProgress(job, false)) {
                log.info("HSDS import job {} taken over by another replica", job.id);
                return;
            }
        }
        if (saveProgress(job, true)) {
            mongo.remove(Query.query(Criteria.where("jobId").is(job.id)), StagedRecord.class);
            log.info("HSDS import job {} done: {} read, {} refused", job.id, job.progress.read,
                    job.progress.organizations.refused + job.progress.services.refused);
        }
    }

    private void importRecord(ImportJob job, StagedRecord record, Map<String, Agency> providers) {
        List<ImportFinding> findings = new ArrayList<>();
        JsonNode node = null;
        Outcome outcome;
        // What the last write sent for this record was to do, here or before the job was interrupted at it: when the
        // store fails on a write, the write may have landed all the same (its acknowledgement lost).
        Outcome[] sent = {job.writeInDoubtAt(record.seq())};
        try {
            JsonNode read = JSON.readTree(record.json());
            node = read;
            BeforeWrite writes = writing -> sent[0] = Outcome.inDoubt(sent[0], writing);
            Outcome found = storeRetry.executeSupplier(() -> {
                findings.clear(); // a try the store failed reports nothing
                return record.table() == StagedRecord.Table.ORGANIZATION
                        ? importer.organization(read, findings, providers, writes)
                        : importer.service(read, findings, providers, writes);
            });
            // A try after a write whose acknowledgement was lost finds that write's work done: count what it did.
            outcome = found.afterWriteInDoubt(sent[0]);
        } catch (RuntimeException e) {
            // A key still taken after the retries is a clash with what the catalogue holds, not the store away; and a
            // record the store failed on every time the job came back to it is refused, so the job ends.
            boolean storeAway = isStoreFailure(e) && !(e instanceof DuplicateKeyException);
            if (storeAway && !job.gaveUpOn(record.seq())) {
                throw new StoreUnavailable(record.seq(), sent[0], e);
            }
            log.warn("HSDS import job {}: record {} not imported ({})", job.id, record.seq(),
                    e.getClass().getSimpleName());
            findings.clear();
            // Given up on after a write was sent for it (its acknowledgement lost, then the store away): it may have
            // landed, which nobody can tell now; the report says so rather than "not stored".
            ImportIssue issue = !isStoreFailure(e) ? ImportIssue.UNREADABLE
                    : storeAway && sent[0] != null ? ImportIssue.STORE_UNCONFIRMED : ImportIssue.NOT_STORED;
            findings.add(ImportFinding.of(record.table() == StagedRecord.Table.ORGANIZATION ? "organizations"
                    : "services", node, issue));
            outcome = Outcome.REFUSED;
        }
        if (record.table() == StagedRecord.Table.ORGANIZATION) {
            job.progress.organization(outcome, findings);
        } else {
            job.progress.service(outcome, findings);
        }
    }

    /**
     * The store, not the record, failed: it could not be reached or did not answer in time, a command failed, or a
     * concurrent write got there first (a retry reads it afresh). A record the store cannot hold (a duplicate key
     * aside) or the catalogue refuses is the record's fault, as is anything else.
     */
    static boolean isStoreFailure(Throwable e) {
        return e instanceof TransientDataAccessException || e instanceof RecoverableDataAccessException
                || e instanceof DataAccessResourceFailureException || e instanceof UncategorizedMongoDbException
                || e instanceof DuplicateKeyException || e instanceof MongoException;
    }

    /** The store kept failing on one record: the job stops before it, to be claimed again after a pause. */
    private static final class StoreUnavailable extends RuntimeException {
        final int seq;
        /** What the last write sent for the record was to do (it may have landed); null if none was sent. */
        final Outcome writeInDoubt;

        StoreUnavailable(int seq, Outcome writeInDoubt, RuntimeException cause) {
            super(cause);
            this.seq = seq;
            this.writeInDoubt = writeInDoubt;
        }
    }

    /**
     * Saves the job as interrupted at the record the store failed on (the position and report as they stood, so
     * nothing is counted twice or lost), its lease given up until {@link #RESUME_AFTER} has passed. If the store
     * fails this write too, the job stays RUNNING and its lease runs out: it is resumed from its last saved position.
     */
    private void interrupt(ImportJob job, StoreUnavailable e) {
        Instant now = clock.instant();
        log.warn("HSDS import job {} interrupted at record {} of {}: the store failed {} times ({})", job.id, e.seq,
                job.total, STORE_ATTEMPTS, e.getCause().getClass().getSimpleName());
        mongo.updateFirst(Query.query(Criteria.where("_id").is(job.id).and("leaseOwner").is(replica)),
                new Update().set("position", job.position).set("progress", job.progress)
                        .set("interruptions", Integer.valueOf(e.seq).equals(job.interruptedAtRecord)
                                ? job.interruptions + 1 : 1)
                        .set("interruptedAtRecord", e.seq).set("writeInDoubt", e.writeInDoubt)
                        .set("status", ImportJob.Status.INTERRUPTED).set("interruptedAt", now)
                        .set("leaseUntil", now.plus(RESUME_AFTER)).unset("leaseOwner"),
                ImportJob.class);
    }

    /** Saves the position and report while this replica holds the lease (renewing it); false once it lost it. */
    private boolean saveProgress(ImportJob job, boolean finished) {
        Instant now = clock.instant();
        Update update = new Update().set("position", job.position).set("progress", job.progress);
        if (finished) {
            update.set("status", ImportJob.Status.DONE).set("finishedAt", now).unset("leaseOwner")
                    .unset("leaseUntil");
        } else {
            update.set("leaseUntil", now.plus(LEASE));
        }
        return mongo.updateFirst(Query.query(Criteria.where("_id").is(job.id).and("leaseOwner").is(replica)),
                update, ImportJob.class).getModifiedCount() > 0;
    }
}
