package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import de.bwaldvogel.mongo.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store's journal gives back after a kill: each document as last written, never a half-written entry. */
class WriteJournalTest {

    @TempDir
    Path dir;

    @Test
    void givesEachDocumentAsLastWrittenAndStopsAtAnEntryTheKillCutShort() throws Exception {
        Path store = dir.resolve(EmbeddedMongoStore.FILE);
        WriteJournal journal = WriteJournal.start(store);
        journal.put("referrals", "referrals", new Document("_id", "r-1").append("status", "SUBMITTED"));
        journal.put("referrals", "referrals", new Document("_id", "r-2").append("status", "SUBMITTED"));
        journal.put("referrals", "referrals", new Document("_id", "r-1").append("status", "ACCEPTED"));
        journal.remove("referrals", "referrals", "r-2");
        journal.put("notifications", "inbox", new Document("_id", 7).append("done", true));
        journal.flush();
        long whole = Files.size(journalFile());
        journal.put("referrals", "referrals", new Document("_id", "r-3").append("status", "SUBMITTED"));
        journal.close();
        // The kill came while the last entry was being written: only part of it reached the file.
        truncate(journalFile(), whole + 11);

        Map<WriteJournal.Collection, Map<Object, Document>> read = WriteJournal.read(store);

        Map<Object, Document> referrals = read.get(new WriteJournal.Collection("referrals", "referrals"));
        assertThat(referrals).containsOnlyKeys("r-1", "r-2");
        assertThat(referrals.get("r-1")).isEqualTo(new Document("_id", "r-1").append("status", "ACCEPTED"));
        assertThat(referrals.get("r-2")).as("deleted last").isNull();
        assertThat(read.get(new WriteJournal.Collection("notifications", "inbox")))
                .containsEntry(7, new Document("_id", 7).append("done", true));
    }

    @Test
    void aCheckpointDropsWhatTheStoreWroteAndKeepsWhatCameAfter() throws Exception {
        Path store = dir.resolve(EmbeddedMongoStore.FILE);
        try (WriteJournal journal = WriteJournal.start(store)) {
            journal.put("db", "c", new Document("_id", "before"));
            journal.flush();
            journal.checkpoint(() -> journal.put("db", "c", new Document("_id", "during")),
                    new java.util.concurrent.locks.ReentrantLock());
            journal.put("db", "c", new Document("_id", "after"));
            journal.flush();
        }
        assertThat(WriteJournal.read(store).get(new WriteJournal.Collection("db", "c")))
                .as("written after the new generation began, so kept; the one before is in the store's pages")
                .containsOnlyKeys("during", "after");

        WriteJournal.delete(store);
        assertThat(WriteJournal.read(store)).isEmpty();
    }

    private Path journalFile() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> journals = files.filter(f -> f.getFileName().toString().contains(".journal.")).toList();
            assertThat(journals).hasSize(1);
            return journals.getFirst();
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }
}
