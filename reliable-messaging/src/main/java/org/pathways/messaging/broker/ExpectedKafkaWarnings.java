package org.pathways.messaging.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Drops the one warning Kafka's consumer makes in normal running: the binder's consumer-lag gauge
 * ({@code spring.cloud.stream.binder.kafka.offset}) asks the end offsets of a group's partitions with a consumer of
 * its own, assigned other partitions on each call, and {@code OffsetFetcherUtils} then warns "Not updating high
 * watermark for partition … as it is no longer assigned" once a minute for every partition (69 lines in a devstack's
 * first start, then a line per partition per minute in every service). Only that message: the same class's other
 * warnings (a failed offset fetch, an unknown partition) are real diagnostics and still logged.
 */
public final class ExpectedKafkaWarnings extends TurboFilter {

    static final String LOGGER = "org.apache.kafka.clients.consumer.internals.OffsetFetcherUtils";
    private static final String STALE_HIGH_WATERMARK = "Not updating high watermark for partition ";
    private static final String NO_LONGER_ASSIGNED = "as it is no longer assigned";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable thrown) {
        // Kafka's LogContext puts the client's prefix before the message, formatted or not.
        if (level == Level.WARN && format != null && LOGGER.equals(logger.getName())
                && format.contains(STALE_HIGH_WATERMARK) && format.contains(NO_LONGER_ASSIGNED)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
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
