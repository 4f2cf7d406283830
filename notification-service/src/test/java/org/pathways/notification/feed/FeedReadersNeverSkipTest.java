package org.pathways.notification.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.notification.config.FeedProperties;
import org.pathways.testing.MutableClock;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * No reader of an agency's feed pages past an entry that is still being written, however long its writer is held
 * between taking its number and inserting the entry (a GC pause, a slow store), and an entry whose writer came back
 * after readers gave up on it is read at a later number, not lost. Two instances' feeds (writers and a reader) on the
 * shared MongoDB-wire store; a writer is held deterministically right before its insert is sent (a command listener
 * of its driver), and time moves only when the test moves it.
 */
class FeedReadersNeverSkipTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    /** Inserts into the feed held before they are sent, by an event id they carry: reached, then let go. */
    private static final Map<String, CountDownLatch[]> HELD = new ConcurrentHashMap<>();

    private static MongoClient client;
    private static MongoTemplate mongo;
    private final MutableClock clock = MutableClock.stoppedAt(T0);
    private final ExecutorService writers = Executors.newCachedThreadPool();
    private AgencyFeed slowInstance;
    private AgencyFeed otherInstance;
    private AgencyFeed reader;
    private String agency;

    @BeforeAll
    static void store() {
        client = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(SharedInfrastructure.mongoUri()))
                .addCommandListener(new CommandListener() {
                    @Override
                    public void commandStarted(CommandStartedEvent event) {
                        BsonDocument command = event.getCommand();
                        if (!event.getCommandName().equals("insert") || !command.containsKey("documents")
                                || !command.getString("insert").getValue().equals("feed")) {
                            return;
                        }
                        for (var document : command.getArray("documents")) {
                            var eventId = document.asDocument().get("eventId");
                            CountDownLatch[] hold = eventId == null ? null
                                    : HELD.remove(eventId.asString().getValue());
                            if (hold != null) {
                                hold[0].countDown();
                                await(hold[1]);
                            }
                        }
                    }
                }).build());
        mongo = new MongoTemplate(client, "feed-readers-test");
    }

    @AfterAll
    static void closeStore() {
        client.close();
    }

    @BeforeEach
    void instances() {
        FeedProperties properties = new FeedProperties(Duration.ofDays(90), Duration.ofHours(1), LEASE);
        slowInstance = new AgencyFeed(mongo, clock, properties);
        slowInstance.afterPropertiesSet();
        otherInstance = new AgencyFeed(mongo, clock, properties);
        reader = new AgencyFeed(mongo, clock, properties);
        agency = "agency-college-" + UUID.randomUUID();
    }

    @AfterEach
    void stop() {
        writers.shutdownNow();
        slowInstance.destroy();
        otherInstance.destroy();
        reader.destroy();
    }

    @Test
    void aReaderWaitsForAnEntryWhoseWriterIsHeldBetweenItsNumberAndItsInsertAndThenReadsItInOrder()
            throws Exception {
        ReceivedEvent first = event();
        ReceivedEvent second = event();
        CountDownLatch[] hold = hold(first);
        Future<?> slow = writers.submit(() -> slowInstance.append(agency, first, body(first)));
        assertThat(hold[0].await(30, TimeUnit.SECONDS)).as("the slow writer took its number").isTrue();
        otherInstance.append(agency, second, body(second));        // numbered after the held one, and written
        clock.advance(Duration.ofSeconds(6));                      // longer than the old rule's 5 s settling

        AgencyFeed.Page meanwhile = reader.after(agency, 0, 100);

        assertThat(meanwhile.entries()).as("nothing after the entry still being written").isEmpty();
        assertThat(meanwhile.next()).isZero();

        hold[1].countDown();
        slow.get(30, TimeUnit.SECONDS);
        AgencyFeed.Page next = reader.after(agency, meanwhile.next(), 100);
        assertThat(eventIds(next)).containsExactly(first.id(), second.id());
    }

    @Test
    void anEntryWhoseWriterComesBackAfterReadersGaveUpOnItIsReadAtALaterNumberNotLost() throws Exception {
        ReceivedEvent late = event();
        ReceivedEvent onTime = event();
        CountDownLatch[] hold = hold(late);
        Future<?> slow = writers.submit(() -> slowInstance.append(agency, late, body(late)));
        assertThat(hold[0].await(30, TimeUnit.SECONDS)).isTrue();
        otherInstance.append(agency, onTime, body(onTime));
        clock.advance(LEASE.plusSeconds(1));                       // the slow writer's reservation ran out

        AgencyFeed.Page meanwhile = reader.after(agency, 0, 100);

        assertThat(eventIds(meanwhile)).as("read on past a writer given up on").containsExactly(onTime.id());
        hold[1].countDown();
        slow.get(30, TimeUnit.SECONDS);
        AgencyFeed.Page next = reader.after(agency, meanwhile.next(), 100);
        assertThat(eventIds(next)).as("the late entry, numbered again after").containsExactly(late.id());
        assertThat(next.entries().getFirst().sequence()).isGreaterThan(meanwhile.next());
        assertThat(eventIds(reader.after(agency, 0, 100))).as("each entry once in the whole feed")
                .containsExactly(onTime.id(), late.id());
    }

    @Test
    void theSameEventAppendedByTwoInstancesAtOnceIsReadOnceWithoutHoldingReadersBack() throws Exception {
        ReceivedEvent twice = event();
        ReceivedEvent after = event();
        CountDownLatch[] hold = hold(twice);
        Future<?> slow = writers.submit(() -> slowInstance.append(agency, twice, body(twice)));
        assertThat(hold[0].await(30, TimeUnit.SECONDS)).isTrue();
        otherInstance.append(agency, twice, body(twice));
        hold[1].countDown();
        slow.get(30, TimeUnit.SECONDS);
        otherInstance.append(agency, after, body(after));

        // No time passes: the number the losing copy took is a gap its writer filled, not one to wait out.
        AgencyFeed.Page page = reader.after(agency, 0, 100);
        assertThat(eventIds(page)).containsExactly(twice.id(), after.id());
        assertThat(page.next()).isEqualTo(3);
    }

    /**
     * A batch whose numbering fails for one agency (its counter cannot be moved on) fails whole and is delivered
     * again; the numbers it took for the other agencies must not hold their readers back until the lease runs out.
     */
    @Test
    void aBatchWhoseNumberingFailsForOneAgencyDoesNotHoldTheOthersReadersBack() {
        String broken = "agency-broken-" + UUID.randomUUID();
        // A counter no writer can move on: its sequence is not a number, so every compare-and-set misses it.
        mongo.getCollection("feed_counters").insertOne(new org.bson.Document("_id", broken)
                .append("sequence", "not a number"));
        ReceivedEvent mine = event();
        ReceivedEvent theirs = event();
        slowInstance.beginBatch();
        try {
            slowInstance.append(agency, mine, body(mine));
            slowInstance.append(broken, theirs, body(theirs));
            assertThatThrownBy(() -> slowInstance.takeBatch().run()).isInstanceOf(RuntimeException.class);
        } finally {
            slowInstance.endBatch();
        }
        ReceivedEvent next = event();
        otherInstance.append(agency, next, body(next));

        // No time passes: the number taken for the failed batch is a gap already, not one to wait out.
        AgencyFeed.Page page = reader.after(agency, 0, 100);
        assertThat(eventIds(page)).containsExactly(next.id());
        assertThat(page.next()).isEqualTo(2);
    }

    private static CountDownLatch[] hold(ReceivedEvent event) {
        CountDownLatch[] hold = {new CountDownLatch(1), new CountDownLatch(1)};
        HELD.put(event.id(), hold);
        return hold;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ReceivedEvent event() {
        String id = UUID.randomUUID().toString();
        return new ReceivedEvent(id, "org.pathways.referral.submitted.v1", "ref-" + id, T0, "/referral-service",
                "{}".getBytes(StandardCharsets.UTF_8), null);
    }

    private static String body(ReceivedEvent event) {
        return "{\"id\":\"" + event.id() + "\"}";
    }

    private static List<String> eventIds(AgencyFeed.Page page) {
        List<String> ids = new ArrayList<>();
        page.entries().forEach(entry -> ids.add(entry.eventId()));
        return ids;
    }
}
