package org.pathways.messaging.broker;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Drops the warnings Kafka's client and the Kafka binder make in normal running, each matched exactly, so that a
 * service's console shows what needs an operator:
 * <ul>
 *   <li>The binder's consumer-lag gauge ({@code spring.cloud.stream.binder.kafka.offset}) asks the end offsets of a
 *   group's partitions with a consumer of its own, assigned other partitions on each call, and
 *   {@code OffsetFetcherUtils} then warns "Not updating high watermark for partition … as it is no longer assigned"
 *   once a minute for every partition (69 lines in a devstack's first start, then a line per partition per minute in
 *   every service). The same class's other warnings (a failed offset fetch, an unknown partition) are real
 *   diagnostics and still logged.</li>
 *   <li>The binder registers that gauge again for every topic each time a binding is made ("safe to call bindTo
 *   multiple times", its source says), and Micrometer warns of the second registration of the same gauge. Only that
 *   gauge's warning is dropped; but Micrometer warns of a meter registered twice once per JVM and logs every later one
 *   at DEBUG, so another meter registered twice after it shows at DEBUG only.</li>
 *   <li>A binding with several destinations (a service reading four topics through one function) shares one error
 *   channel, and the binder warns at the second destination that it cannot subscribe a second dead-letter handler to
 *   it. Dropped only for a binding that has several destinations and no dead-letter topic ({@link #expect}), whose
 *   errors the inbox dead-letters itself; for a binding with a dead-letter topic the warning is real and stays.</li>
 * </ul>
 */
public final class ExpectedKafkaWarnings extends TurboFilter {

    static final String LOGGER = "org.apache.kafka.clients.consumer.internals.OffsetFetcherUtils";
    private static final String STALE_HIGH_WATERMARK = "Not updating high watermark for partition ";
    private static final String NO_LONGER_ASSIGNED = "as it is no longer assigned";

    static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
    private static final String LAG_GAUGE_REGISTERED_AGAIN =
            "This Gauge has been already registered (MeterId{name='spring.cloud.stream.binder.kafka.offset',";

    static final String BINDER = "org.springframework.cloud.stream.binder.kafka.KafkaMessageChannelBinder";
    private static final String SHARED_ERROR_CHANNEL = "The provided errorChannel '";
    private static final String ERROR_CHANNEL_IS_DIRECT = "' is an instance of DirectChannel";

    /** Bindings with several destinations and no dead-letter topic: their shared error channel's warning is dropped. */
    private final Set<String> sharedErrorChannels = new CopyOnWriteArraySet<>();

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable thrown) {
        if (level != Level.WARN || format == null) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        // Kafka's LogContext puts the client's prefix before the message, formatted or not.
        if (LOGGER.equals(name) && format.contains(STALE_HIGH_WATERMARK) && format.contains(NO_LONGER_ASSIGNED)) {
            return FilterReply.DENY;
        }
        if (METER_REGISTRY.equals(name) && format.startsWith(LAG_GAUGE_REGISTERED_AGAIN)) {
            return FilterReply.DENY;
        }
        if (BINDER.equals(name) && format.startsWith(SHARED_ERROR_CHANNEL)) {
            int end = format.indexOf(ERROR_CHANNEL_IS_DIRECT);
            // The channel is named "<binder>.<binding>.errors".
            String channel = end < 0 ? "" : format.substring(SHARED_ERROR_CHANNEL.length(), end);
            for (String binding : sharedErrorChannels) {
                if (channel.endsWith("." + binding + ".errors")) {
                    return FilterReply.DENY;
                }
            }
        }
        return FilterReply.NEUTRAL;
    }

    /**
     * Expects the shared error channel's warning of every binding in {@code environment} that reads several
     * destinations without a dead-letter topic.
     */
    public ExpectedKafkaWarnings expect(Environment environment) {
        Binder binder = Binder.get(environment);
        Map<String, Destinations> bindings = binder.bind("spring.cloud.stream.bindings",
                Bindable.mapOf(String.class, Destinations.class)).orElse(Map.of());
        boolean deadLettersByDefault = environment.getProperty("spring.cloud.stream.kafka.default.consumer.enable-dlq",
                Boolean.class, false);
        bindings.forEach((binding, properties) -> {
            boolean several = properties.destination() != null
                    && Arrays.stream(properties.destination().split(",")).filter(topic -> !topic.isBlank()).count() > 1;
            // Binding names are camel case, which the binder's property names allow and Boot's Binder does not.
            boolean deadLetters = environment.getProperty("spring.cloud.stream.kafka.bindings." + binding
                    + ".consumer.enable-dlq", Boolean.class, deadLettersByDefault);
            if (several && !deadLetters) {
                sharedErrorChannels.add(binding);
            }
        });
        return this;
    }

    /** A binding's topics, as its {@code destination} names them (comma-separated); its other settings ignored. */
    record Destinations(String destination) {
    }

    /** Adds the filter to Logback's context, once however often it is called; null where Logback is not the logger. */
    public static ExpectedKafkaWarnings install() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return null;
        }
        synchronized (context) {
            for (var installed : context.getTurboFilterList()) {
                if (installed instanceof ExpectedKafkaWarnings filter) {
                    return filter;
                }
            }
            ExpectedKafkaWarnings filter = new ExpectedKafkaWarnings();
            filter.setName("expected-kafka-warnings");
            filter.start();
            context.addTurboFilter(filter);
            return filter;
        }
    }
}
