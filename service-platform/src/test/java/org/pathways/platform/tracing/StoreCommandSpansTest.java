package org.pathways.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.observability.MongoHandlerContext;

/**
 * The services' MongoDB clients as the platform configures them (a real client, over the wire, to a MongoDB-wire
 * server): a command sent for a request or an event is a span of it; one sent outside any trace (a poll, a lease) is
 * not observed at all, so it neither starts a trace of its own nor disturbs the observation of anything else.
 */
class StoreCommandSpansTest {

    private static final MongoServer SERVER = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress ADDRESS = SERVER.bind();
    private static final ObservationRegistry OBSERVATIONS = ObservationRegistry.create();
    /** Every observation started, and every one stopped, with the observation it was started under. */
    private static final List<String> STARTED = new CopyOnWriteArrayList<>();
    private static final List<String> STOPPED = new CopyOnWriteArrayList<>();
    private static MongoClient client;
    private static MongoTemplate mongo;

    @BeforeAll
    static void configuredAsTheServicesAre() {
        // As management.observations.enable."[tasks.scheduled]": false (pathways-platform.yml) does.
        OBSERVATIONS.observationConfig().observationPredicate((name, context) -> !name.startsWith("tasks.scheduled"));
        OBSERVATIONS.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                STARTED.add(describe(context));
            }

            @Override
            public void onStop(Observation.Context context) {
                STOPPED.add(describe(context));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        MongoClientSettings.Builder settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString("mongodb://localhost:" + ADDRESS.getPort()));
        new PlatformTracingAutoConfiguration.MongoCommands().mongoCommandObservations(OBSERVATIONS)
                .customize(settings);
        client = MongoClients.create(settings.build());
        mongo = new MongoTemplate(client, "spans-test");
        mongo.insert(new Document("_id", "one").append("note", "stored"), "notes");
    }

    @AfterAll
    static void stop() {
        client.close();
        SERVER.shutdown();
    }

    private static String describe(Observation.Context context) {
        String parent = context.getParentObservation() == null ? "no parent"
                : "under " + context.getParentObservation().getContextView().getName();
        return (context instanceof MongoHandlerContext mongo ? "store " + mongo.getCommandName()
                : context.getName()) + " " + parent;
    }

    @Test
    void aCommandSentForARequestIsASpanOfItAndOneSentOutsideAnyTraceIsNotObserved() {
        STARTED.clear();
        STOPPED.clear();

        assertThat(mongo.findById("one", Document.class, "notes")).containsEntry("note", "stored");
        assertThat(STARTED).as("a command outside any trace").isEmpty();
        assertThat(STOPPED).isEmpty();

        Observation request = Observation.createNotStarted("request", OBSERVATIONS);
        request.observe(() -> {
            assertThat(mongo.findById("one", Document.class, "notes")).containsEntry("note", "stored");
            assertThat(OBSERVATIONS.getCurrentObservation()).as("the request's scope, after its command")
                    .isSameAs(request);
        });

        assertThat(STARTED).containsExactly("request no parent", "store find under request");
        assertThat(STOPPED).containsExactly("store find under request", "request no parent");
    }

    @Test
    void aCommandSentByAScheduledTaskWhoseObservationIsTurnedOffIsNotObserved() {
        STARTED.clear();
        STOPPED.clear();

        Observation task = Observation.createNotStarted("tasks.scheduled.execution", OBSERVATIONS);
        task.observe(() -> assertThat(mongo.findById("one", Document.class, "notes"))
                .containsEntry("note", "stored"));

        assertThat(task.isNoop()).as("the task's observation, turned off").isTrue();
        assertThat(STARTED).as("no span of its own for the task's command (a one-span trace)").isEmpty();
        assertThat(STOPPED).isEmpty();
    }
}
