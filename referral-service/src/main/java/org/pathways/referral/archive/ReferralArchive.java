package org.pathways.referral.archive;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.pathways.referral.domain.Referral;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.FindAndReplaceOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Where a referral's notes and the middle of its history live once they leave the referral's document, so that no
 * referral grows towards MongoDB's 16 MB limit: a note moves out right after it is added; the history keeps its first
 * entry and the last {@code kept-recent} ({@code pathways.referrals.history.kept-recent}, 50) in the document.
 *
 * <p>Moving is two writes, each safe to repeat: the notes and entries are upserted by their {@code _id} first
 * (referral id + ":" + their number, which never changes), then the referral drops them in one update guarded by the
 * version it was read at and <b>not</b> changing it (a client's {@code ETag} stays valid). A crash in between, or a
 * change that came first, leaves them in the referral, where they are still served, and the next move repeats the
 * same upserts. A learner erased between the two writes is caught by reading the erasure after them.
 */
@Component
public class ReferralArchive {

    private static final Logger log = LoggerFactory.getLogger(ReferralArchive.class);
    static final String NOTES = "referral_notes";
    static final String HISTORY = "referral_history";
    private static final String REFERRALS = "referrals";
    /** Ids per {@code $in} read. */
    private static final int CHUNK = 500;

    private final MongoTemplate mongo;
    private final int keptRecent;

    ReferralArchive(MongoTemplate mongo, @Value("${pathways.referrals.history.kept-recent:50}") int keptRecent) {
        if (keptRecent < 1) {
            throw new IllegalArgumentException("pathways.referrals.history.kept-recent must be at least 1");
        }
        this.mongo = mongo;
        this.keptRecent = keptRecent;
        // The erasure's scrub (rare) finds a referral's notes and entries by referral id; reads go by _id.
        mongo.indexOps(NOTES).createIndex(new Index().on("referralId", Sort.Direction.ASC));
        mongo.indexOps(HISTORY).createIndex(new Index().on("referralId", Sort.Direction.ASC));
    }

    /** How many of the most recent history entries a referral's document keeps besides the first. */
    public int keptRecent() {
        return keptRecent;
    }

    static String key(String referralId, int number) {
        return referralId + ":" + String.format("%09d", number);
    }

    /**
     * Moves what overflows out of {@code saved} (a referral as just read or saved, at its version). The referral is
     * left as it is now stored. Does nothing when there is nothing to move.
     *
     * @return whether the referral's document dropped what moved (false: another change came first, and it stays
     *         there, still served, until the next move)
     */
    public boolean tidy(Referral saved) {
        boolean erased = saved.erased();
        Referral.Overflow overflow = saved.moveOut(keptRecent);
        if (overflow.isEmpty()) {
            return false;
        }
        String id = saved.id();
        if (!overflow.notes().isEmpty()) {
            BulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, ArchivedNote.class, NOTES);
            overflow.notes().forEach((seq, note) -> bulk.replaceOne(byId(key(id, seq)),
                    new ArchivedNote(key(id, seq), id, seq, erased ? withoutText(note) : note),
                    FindAndReplaceOptions.options().upsert()));
            bulk.execute();
        }
        if (!overflow.history().isEmpty()) {
            BulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, ArchivedChange.class, HISTORY);
            overflow.history().forEach((index, change) -> bulk.replaceOne(byId(key(id, index)),
                    new ArchivedChange(key(id, index), id, index, erased ? withoutText(change) : change),
                    FindAndReplaceOptions.options().upsert()));
            bulk.execute();
        }
        Document stored = new Document();
        mongo.getConverter().write(saved, stored);
        Update drop = new Update();
        if (!overflow.notes().isEmpty()) {
            drop.set("notes", stored.get("notes")).set("notesMoved", saved.notesMoved());
        }
        if (!overflow.history().isEmpty()) {
            drop.set("history", stored.get("history")).set("historyMoved", saved.historyMoved());
        }
        // By _id and version: the outbox's unique (_id, version) index serves it on the embedded store too. By the
        // collection's name, not the class: an update of a versioned class would increment the version.
        boolean dropped = mongo.updateFirst(query(where("_id").is(id).and("version").is(saved.version())), drop,
                REFERRALS).getMatchedCount() > 0;
        if (!erased && erasedNow(id)) {
            erase(id);
        }
        log.debug("Moved {} notes and {} history entries out of referral {} (dropped: {})",
                overflow.notes().size(), overflow.history().size(), id, dropped);
        return dropped;
    }

    /**
     * {@link #tidy} after a change that is saved: a failure here loses nothing (what did not move stays in the
     * referral, served from there, and moves on its next change or start-up) and must not fail the change.
     */
    public void tidyAfterSave(Referral saved) {
        if (saved == null) {
            return;
        }
        try {
            tidy(saved);
        } catch (RuntimeException failure) {
            log.warn("Could not move notes or history out of referral {} ({}); they stay in it for now", saved.id(),
                    failure.getClass().getSimpleName());
        }
    }

    /** Removes the text of every note and history entry of the referral that has moved out (right to erasure). */
    public void erase(String referralId) {
        mongo.updateMulti(query(where("referralId").is(referralId)), new Update().unset("note.text"), NOTES);
        mongo.updateMulti(query(where("referralId").is(referralId)), new Update().unset("change.reasonText"),
                HISTORY);
    }

    /** Notes {@code from} to {@code to} (numbers from 1, both included) of the referral's thread, oldest first. */
    public List<Referral.Note> notes(Referral referral, int from, int to) {
        int moved = referral.notesMoved();
        List<Referral.Note> embedded = referral.notes();
        List<Referral.Note> thread = new ArrayList<>();
        if (from <= moved) {
            Map<Integer, Referral.Note> archived = new HashMap<>();
            read(referral.id(), from, Math.min(to, moved), ArchivedNote.class, NOTES)
                    .forEach(note -> archived.put(note.seq(), note.note()));
            for (int seq = from; seq <= Math.min(to, moved); seq++) {
                Referral.Note note = archived.get(seq);
                if (note != null) {
                    thread.add(note);
                }
            }
        }
        for (int seq = Math.max(from, moved + 1); seq <= to && seq - moved - 1 < embedded.size(); seq++) {
            thread.add(embedded.get(seq - moved - 1));
        }
        return thread;
    }

    /** Entries {@code from} to {@code to} (0 is the submission, both included) of the full history, oldest first. */
    public List<Referral.StatusChange> history(Referral referral, int from, int to) {
        int moved = referral.historyMoved();
        List<Referral.StatusChange> embedded = referral.history();
        List<Referral.StatusChange> history = new ArrayList<>();
        if (from == 0 && !embedded.isEmpty()) {
            history.add(embedded.getFirst());
        }
        int firstArchived = Math.max(from, 1);
        if (firstArchived <= moved) {
            Map<Integer, Referral.StatusChange> archived = new HashMap<>();
            read(referral.id(), firstArchived, Math.min(to, moved), ArchivedChange.class, HISTORY)
                    .forEach(change -> archived.put(change.index(), change.change()));
            for (int index = firstArchived; index <= Math.min(to, moved); index++) {
                Referral.StatusChange change = archived.get(index);
                if (change != null) {
                    history.add(change);
                }
            }
        }
        for (int index = Math.max(from, moved + 1); index <= to && index - moved < embedded.size(); index++) {
            history.add(embedded.get(index - moved));
        }
        return history;
    }

    /**
     * Moves whatever overflows out of every referral that still holds it (documents written before notes and history
     * moved out, or left so by a crash between a move's two writes). Safe to run again and on several instances.
     *
     * @return how many referrals were tidied
     */
    public int tidyAll() {
        Query overflowing = new Query(new org.springframework.data.mongodb.core.query.Criteria().orOperator(
                where("notes").exists(true).ne(List.of()),
                where("history." + (keptRecent + 1)).exists(true)));
        overflowing.fields().include("_id");
        List<Object> ids = mongo.find(overflowing, Document.class, REFERRALS).stream()
                .map(document -> document.get("_id")).toList();
        int tidied = 0;
        for (Object id : ids) {
            Referral referral = mongo.findById(id, Referral.class);
            if (referral != null && tidy(referral)) {
                tidied++;
            }
        }
        return tidied;
    }

    private <T> List<T> read(String referralId, int from, int to, Class<T> type, String collection) {
        List<T> found = new ArrayList<>();
        for (int start = from; start <= to; start += CHUNK) {
            List<String> ids = new ArrayList<>();
            for (int number = start; number <= Math.min(to, start + CHUNK - 1); number++) {
                ids.add(key(referralId, number));
            }
            // By _id $in only: the embedded store serves it from the _id index (a range would read every document).
            found.addAll(mongo.find(query(where("_id").in(ids)), type, collection));
        }
        return found;
    }

    private boolean erasedNow(String referralId) {
        Query erasedAt = byId(referralId);
        erasedAt.fields().include("erasedAt");
        Document stored = mongo.findOne(erasedAt, Document.class, REFERRALS);
        return stored != null && stored.get("erasedAt") != null;
    }

    private static Query byId(String id) {
        return query(where("_id").is(id));
    }

    private static Referral.Note withoutText(Referral.Note note) {
        return new Referral.Note(note.id(), note.authorUserId(), note.authorAgencyId(), null, note.at());
    }

    private static Referral.StatusChange withoutText(Referral.StatusChange change) {
        return new Referral.StatusChange(change.status(), change.at(), change.byUser(), change.byAgency(),
                change.action(), change.reason(), null);
    }
}
