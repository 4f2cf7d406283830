package org.pathways.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Query;

/**
 * Work done once per store at start: later starts skip it, a note written by an earlier version counts as done, work
 * that fails is done again at the next start, and two instances starting together both finish with one note kept.
 */
class MigrationsTest {

    private static final MongoServer SERVER = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress ADDRESS = SERVER.bind();
    private static final MongoClient CLIENT = MongoClients.create("mongodb://localhost:" + ADDRESS.getPort());
    private static final String NOTES = "service-migrations";
    private static final Instant START = Instant.parse("2026-12-03T02:00:00Z");

    private final MongoTemplate mongo = new MongoTemplate(CLIENT, "migrations-" + System.nanoTime());
    private final AtomicInteger done = new AtomicInteger();

    @AfterAll
    static void stop() {
        CLIENT.close();
        SERVER.shutdown();
    }

    private Migrations startingAt(Instant at) {
        return new Migrations(mongo, NOTES, Clock.fixed(at, ZoneOffset.UTC));
    }

    @Test
    void theWorkIsDoneAtTheFirstStartAndNotedSoLaterStartsSkipIt() {
        assertThat(startingAt(START).once("lists-built", done::incrementAndGet)).isTrue();
        assertThat(startingAt(START.plusSeconds(60)).once("lists-built", done::incrementAndGet)).isFalse();
        assertThat(done).hasValue(1);
        assertThat(notes()).singleElement().satisfies(note -> {
            assertThat(note.get("_id")).isEqualTo("lists-built");
            assertThat(note.getDate("at").toInstant()).isEqualTo(START);
        });

        assertThat(startingAt(START).once("holdings-moved", done::incrementAndGet)).as("another name").isTrue();
        assertThat(done).hasValue(2);
    }

    @Test
    void aNoteWrittenBeforeThisClassExistedCountsAsDone() {
        mongo.save(new Document("_id", "lists-built").append("at", Date.from(START)), NOTES);

        assertThat(startingAt(START.plusSeconds(60)).once("lists-built", done::incrementAndGet)).isFalse();

        assertThat(done).hasValue(0);
        assertThat(notes()).hasSize(1);
    }

    @Test
    void workThatFailsIsNotNotedAndIsDoneAgainAtTheNextStart() {
        assertThatThrownBy(() -> startingAt(START).once("lists-built", () -> {
            done.incrementAndGet();
            throw new IllegalStateException("store went away halfway");
        })).hasMessage("store went away halfway");
        assertThat(notes()).isEmpty();

        assertThat(startingAt(START.plusSeconds(60)).once("lists-built", done::incrementAndGet)).isTrue();
        assertThat(done).hasValue(2);
        assertThat(notes()).hasSize(1);
    }

    @Test
    void twoInstancesStartingTogetherBothFinishTheWorkAndOneNoteIsKept() throws Exception {
        // Both are inside the work at the same time: neither waits for, or is refused by, the other.
        CyclicBarrier bothWorking = new CyclicBarrier(2);
        Runnable work = () -> {
            done.incrementAndGet();
            try {
                bothWorking.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        try (ExecutorService instances = Executors.newFixedThreadPool(2)) {
            Future<Boolean> first = instances.submit(() -> startingAt(START).once("built", work));
            Future<Boolean> second = instances.submit(() -> startingAt(START).once("built", work));

            assertThat(first.get(20, TimeUnit.SECONDS)).isTrue();
            assertThat(second.get(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(done).hasValue(2);
        assertThat(notes()).hasSize(1);
        assertThat(startingAt(START).once("built", work)).as("a third, later start").isFalse();
    }

    private List<Document> notes() {
        return mongo.find(new Query(), Document.class, NOTES);
    }
}
