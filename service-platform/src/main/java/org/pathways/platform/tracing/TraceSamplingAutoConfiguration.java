package org.pathways.platform.tracing;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;

/**
 * With {@code pathways.tracing.traces-per-second} above 0 ({@code PATHWAYS_TRACES_PER_SECOND}; the devstack and
 * docker-compose set 10), each instance starts at most that many traces a second ({@link TracesPerSecond}), after
 * Boot's {@code management.tracing.sampling.probability}; a trace's later spans follow its first service's decision.
 * At 0 (the default), Boot's own sampler decides by the probability alone.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure"
        + ".OpenTelemetryTracingAutoConfiguration")
@ConditionalOnClass({Sampler.class, RateLimiter.class})
@ConditionalOnExpression("${pathways.tracing.traces-per-second:0} > 0")
public class TraceSamplingAutoConfiguration {

    @Bean
    Sampler otelSampler(@Value("${pathways.tracing.traces-per-second}") int perSecond,
                        @Value("${management.tracing.sampling.probability:1.0}") double probability) {
        return Sampler.parentBased(new TracesPerSecond(perSecond, probability));
    }
}
