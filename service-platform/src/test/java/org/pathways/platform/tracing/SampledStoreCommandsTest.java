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
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.observability.MongoHandlerContext;

/**
 * With the platform's sampler at one new trace a second ({@code pathways.tracing.traces-per-second}), requests in
 * quick succession: the first is traced whole, its store command a span of it; a later one the sampler left out has
 * no span for its command either (its observation would only cost). Real parts: the OpenTelemetry SDK behind
 * Micrometer Tracing, a MongoDB client over the wire to a MongoDB-wire server.
 */
class SampledStoreCommandsTest {

    private final MongoServer server = new MongoServer(new MemoryBackend());
    private final InetSocketAddress address = server.bind();
    private final SdkTracerProvider traces = SdkTracerProvider.builder()
            .setSampler(Sampler.parentBased(new TracesPerSecond(1, 1.0))).build();
    private final ObservationRegistry observations = ObservationRegistry.create();
    /** The store commands observed, by the request they were sent for. */
    private final List<String> commandsObserved = new CopyOnWriteArrayList<>();
    private MongoClient client;

    @AfterEach
    void stop() {
        client.close();
        server.shutdown();
        traces.close();
    }

    @Test
    void aRequestTheSamplerLeftOutHasNoSpansForItsStoreCommands() {
        OtelTracer tracer = new OtelTracer(OpenTelemetrySdk.builder().setTracerProvider(traces).build()
                .getTracer("test"), new OtelCurrentTraceContext(), event -> { });
        observations.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
        observations.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                if (context instanceof MongoHandlerContext command && context.getParentObservation() != null) {
                    commandsObserved.add(command.getCommandName() + " for "
                            + context.getParentObservation().getContextView().getLowCardinalityKeyValue("request")
                            .getValue());
                }
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        MongoClientSettings.Builder settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString("mongodb://localhost:" + address.getPort()));
        new PlatformTracingAutoConfiguration.MongoCommands().mongoCommandObservations(observations)
                .customize(settings);
        client = MongoClients.create(settings.build());
        MongoTemplate mongo = new MongoTemplate(client, "sampling-test");
        mongo.insert(new Document("_id", "one").append("note", "stored"), "notes");

        assertThat(request(mongo, "first")).as("the first request of the second is traced").isTrue();
        // The next ones in the same second are left out (a machine that stalled past the second samples one more).
        String leftOut = null;
        for (int attempt = 2; attempt <= 5 && leftOut == null; attempt++) {
            if (!request(mongo, "request " + attempt)) {
                leftOut = "request " + attempt;
            }
        }

        assertThat(leftOut).as("a request beyond one a second").isNotNull();
        assertThat(commandsObserved).contains("find for first").doesNotContain("find for " + leftOut);
    }

    /** One request's observation reading a document; whether its trace was sampled. */
    private boolean request(MongoTemplate mongo, String name) {
        Observation request = Observation.createNotStarted("request", observations)
                .lowCardinalityKeyValue("request", name);
        boolean[] sampled = new boolean[1];
        request.observe(() -> {
            assertThat(mongo.findById("one", Document.class, "notes")).containsEntry("note", "stored");
            sampled[0] = Boolean.TRUE.equals(request.getContextView()
                    .<io.micrometer.tracing.handler.TracingObservationHandler.TracingContext>get(
                            io.micrometer.tracing.handler.TracingObservationHandler.TracingContext.class)
                    .getSpan().context().sampled());
        });
        return sampled[0];
    }
}
