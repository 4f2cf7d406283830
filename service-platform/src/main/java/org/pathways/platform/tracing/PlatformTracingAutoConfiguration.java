package org.pathways.platform.tracing;

import com.mongodb.MongoClientSettings;
import com.mongodb.RequestContext;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.observability.ContextProviderFactory;
import org.springframework.data.mongodb.observability.MongoObservationCommandListener;

/**
 * Traces beyond what Spring Boot observes by itself (HTTP server and client): every MongoDB command a service sends
 * for a request or an event it serves is a span of it, through Spring Data MongoDB's observation support. The spans
 * name the database, collection and operation only, never the command's contents.
 *
 * <p>A command sent outside any trace (a poll, the outbox relay's lease, a consumer's batch-wide inbox check) is not
 * observed: each would be a trace of its own with a single span, dozens per handoff, which bury the handoffs' traces
 * in the trace viewer, and observing and exporting them took a tenth of a busy service's CPU (docs/benchmarks.md).
 * Its time is still in the driver's command metrics ({@code mongodb.driver.commands}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
public class PlatformTracingAutoConfiguration {

    /** No query (a search's words, a webhook address's token) in any HTTP observation ({@link AddressesWithoutQueries}). */
    @Bean
    @ConditionalOnClass(ObservationFilter.class)
    ObservationFilter addressesWithoutQueries() {
        return new AddressesWithoutQueries();
    }

    /** Every span exporter sends spans without the queries of the addresses they quote ({@link QueryFreeSpans}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.opentelemetry.sdk.trace.export.SpanExporter")
    static class SpanExports {

        @Bean
        static org.springframework.beans.factory.config.BeanPostProcessor queryFreeSpanExports() {
            return new org.springframework.beans.factory.config.BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) {
                    return bean instanceof io.opentelemetry.sdk.trace.export.SpanExporter exporter
                            && !(bean instanceof QueryFreeSpans) ? new QueryFreeSpans(exporter) : bean;
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MongoClientSettings.class, MongoObservationCommandListener.class,
            MongoClientSettingsBuilderCustomizer.class})
    @ConditionalOnBean(ObservationRegistry.class)
    static class MongoCommands {

        @Bean
        MongoClientSettingsBuilderCustomizer mongoCommandObservations(ObservationRegistry observations) {
            return settings -> settings.contextProvider(ContextProviderFactory.create(observations))
                    .addCommandListener(new WithinATrace(new MongoObservationCommandListener(observations)));
        }
    }

    /**
     * Observes a command only when it is sent within a live observation (the request's or the event's, which the context
     * provider put in the command's request context). A command not observed leaves nothing in its request context
     * for the listener to stop when it ends, so its end passes through unchanged.
     */
    static final class WithinATrace implements CommandListener {

        private final CommandListener observing;

        WithinATrace(CommandListener observing) {
            this.observing = observing;
        }

        @Override
        public void commandStarted(CommandStartedEvent event) {
            RequestContext context = event.getRequestContext();
            // A no-op observation (one a predicate turned off, e.g. a scheduled task's) is no trace to join: the
            // command would start a trace of its own.
            if (context != null
                    && context.getOrDefault(ObservationThreadLocalAccessor.KEY, null) instanceof Observation observation
                    && !observation.isNoop() && !unsampled(observation)) {
                observing.commandStarted(event);
            }
        }

        /**
         * Whether the observation's trace is one the sampler left out ({@code pathways.tracing.traces-per-second}):
         * its command would be a span nobody records, for the observation's cost.
         */
        private static boolean unsampled(Observation observation) {
            TracingObservationHandler.TracingContext tracing = observation.getContextView()
                    .get(TracingObservationHandler.TracingContext.class);
            Span span = tracing == null ? null : tracing.getSpan();
            return span != null && Boolean.FALSE.equals(span.context().sampled());
        }

        @Override
        public void commandSucceeded(CommandSucceededEvent event) {
            observing.commandSucceeded(event);
        }

        @Override
        public void commandFailed(CommandFailedEvent event) {
            observing.commandFailed(event);
        }
    }
}
