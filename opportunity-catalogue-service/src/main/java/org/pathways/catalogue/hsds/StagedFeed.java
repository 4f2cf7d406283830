package org.pathways.catalogue.hsds;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pathways.catalogue.hsds.StagedRecord.Table;
import org.pathways.platform.problem.ProblemException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's feed staged as it is read ({@link HsdsFeed.Records} for {@link HsdsJsonStream}): records are written to the
 * job's staged records in batches of at most {@value #BATCH} records and of about {@link #BATCH_BYTES} (or less, as
 * the caller bounds it), so only a batch and each record's id are held, whatever the document's size. A record is
 * one stored document: one of more than {@link #MAX_RECORD_BYTES} is refused, {@code 413}. The job reads
 * organizations first, then services, each kind in the order first read and records without a UUID id after the
 * others of their kind ({@link HsdsFeed#fromJson}'s order): while reading, each of these four parts is staged in a
 * range of its own, and {@link #finish} numbers them into one sequence. Until then no job refers to the records;
 * {@link #discard} removes them when the document is refused half-way.
 */
final class StagedFeed implements HsdsFeed.Records {

    /** Records held before they are written (a record's tree takes about 2.6 times its JSON). */
    static final int BATCH = 200;
    /** The bytes of records held before they are written, at most, when the caller counts what it read. */
    static final long BATCH_BYTES = 4L * 1024 * 1024;
    /** The largest record staged: within MongoDB's 16 MB for a document, with room for the rest of it. */
    static final long MAX_RECORD_BYTES = 15L * 1024 * 1024;
    /** The width of each part's range while reading: more than a feed may hold, so ranges never meet. */
    private static final int PART = 1_000_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private enum Part { ORGANIZATIONS, UNIDENTIFIED_ORGANIZATIONS, SERVICES, UNIDENTIFIED_SERVICES }

    private final MongoTemplate mongo;
    private final String jobId;
    private final Map<String, Integer> organizations = new HashMap<>();
    private final Map<String, Integer> services = new HashMap<>();
    private final int[] counts = new int[Part.values().length];
    /** Records read and not yet written, and records written and changed since, by their provisional seq. */
    private final Map<Integer, ObjectNode> unwritten = new LinkedHashMap<>();
    private final Map<Integer, ObjectNode> changed = new LinkedHashMap<>();

    /** The bytes held before a batch is written (at most {@link #BATCH_BYTES}). */
    private final long batchBytes;
    /** The bytes of staged records read back to be changed, held until the next write. */
    private long loaded;

    StagedFeed(MongoTemplate mongo, String jobId) {
        this(mongo, jobId, BATCH_BYTES);
    }

    StagedFeed(MongoTemplate mongo, String jobId, long batchBytes) {
        this.mongo = mongo;
        this.jobId = jobId;
        this.batchBytes = Math.min(batchBytes, BATCH_BYTES);
    }

    private Map<String, Integer> ids(Table kind) {
        return kind == Table.ORGANIZATION ? organizations : services;
    }

    @Override
    public boolean has(Table kind, String id) {
        return ids(kind).containsKey(id);
    }

    @Override
    public ObjectNode get(Table kind, String id) {
        int seq = ids(kind).get(id);
        ObjectNode record = unwritten.get(seq);
        if (record != null) {
            return record;
        }
        return changed.computeIfAbsent(seq, s -> {
            StagedRecord staged = mongo.findOne(Query.query(Criteria.where("jobId").is(jobId).and("seq").is(s)),
                    StagedRecord.class);
            loaded += staged.json().length();
            return (ObjectNode) JSON.readTree(staged.json());
        });
    }

    @Override
    public void put(Table kind, String id, ObjectNode record) {
        Integer seq = ids(kind).get(id);
        if (seq == null) {
            seq = next(kind == Table.ORGANIZATION ? Part.ORGANIZATIONS : Part.SERVICES);
            ids(kind).put(id, seq);
            unwritten.put(seq, record);
        } else if (unwritten.containsKey(seq)) {
            unwritten.put(seq, record);
        } else {
            changed.put(seq, record);
        }
    }

    @Override
    public void unidentified(ObjectNode record) {
        unwritten.put(next(record.has("status") ? Part.UNIDENTIFIED_SERVICES : Part.UNIDENTIFIED_ORGANIZATIONS),
                record);
    }

    private int next(Part part) {
        if (total() >= HsdsFeed.MAX_RECORDS) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "too-large",
                    "At most " + HsdsFeed.MAX_RECORDS + " records per import.");
        }
        return (part.ordinal() + 1) * PART + counts[part.ordinal()]++;
    }

    int total() {
        int total = 0;
        for (int count : counts) {
            total += count;
        }
        return total;
    }

    /**
     * Between records (never within one, which may still change what it put): writes a full batch, full by its
     * count of records or by {@code read}, the bytes of the document read since the last write (what the records
     * held were read from). True when it wrote: what was read is held no longer.
     */
    boolean writeIfFull(long read) {
        if (unwritten.size() + changed.size() >= BATCH || read + loaded >= batchBytes) {
            write();
            return true;
        }
        return false;
    }

    private void write() {
        List<StagedRecord> batch = new ArrayList<>(unwritten.size());
        unwritten.forEach((seq, record) -> batch.add(staged(seq, record)));
        if (!batch.isEmpty()) {
            mongo.insert(batch, StagedRecord.class);
        }
        changed.forEach((seq, record) -> mongo.updateFirst(
                Query.query(Criteria.where("jobId").is(jobId).and("seq").is(seq)),
                Update.update("json", json(record)), StagedRecord.class));
        unwritten.clear();
        changed.clear();
        loaded = 0;
    }

    private StagedRecord staged(int seq, ObjectNode record) {
        Table table = seq / PART - 1 < Part.SERVICES.ordinal() ? Table.ORGANIZATION : Table.SERVICE;
        return new StagedRecord(null, jobId, seq, table, json(record));
    }

    /** The record's JSON, unless it is more than one stored document holds. */
    private static String json(ObjectNode record) {
        String json = record.toString();
        // UTF-8 takes at most 3 bytes a char: count the bytes only when that could pass the limit.
        if (json.length() > MAX_RECORD_BYTES / 3 && (json.length() > MAX_RECORD_BYTES
                || json.getBytes(StandardCharsets.UTF_8).length > MAX_RECORD_BYTES)) {
            throw new ProblemException(HttpStatus.CONTENT_TOO_LARGE, "too-large", "A record (an organization or "
                    + "service with what is nested in it) is more than the " + MAX_RECORD_BYTES / (1024 * 1024)
                    + " MB the catalogue stores as one: split it, or leave out what is too large.");
        }
        return json;
    }

    /** Writes what is left and numbers the parts into one sequence from 0; answers how many records there are. */
    int finish() {
        write();
        int start = 0;
        for (Part part : Part.values()) {
            int from = (part.ordinal() + 1) * PART;
            int count = counts[part.ordinal()];
            if (count > 0 && from != start) {
                mongo.updateMulti(Query.query(Criteria.where("jobId").is(jobId).and("seq").gte(from)
                        .lt(from + count)), new Update().inc("seq", start - from), StagedRecord.class);
            }
            start += count;
        }
        return start;
    }

    /** Removes whatever was staged. */
    void discard() {
        unwritten.clear();
        changed.clear();
        loaded = 0;
        mongo.remove(Query.query(Criteria.where("jobId").is(jobId)), StagedRecord.class);
    }
}
