package org.pathways.platform.tracing;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * With {@code pathways.tracing.traces-per-second} above 0 ({@code PATHWAYS_TRACES_PER_SECOND}; the devstack and
 * docker-compose set 10), each instance starts at most that many traces a second ({@link TracesPerSecond}), after
 * Boot's {@code management.tracing.sampling.probability}; a trace's later spans follow its first service's decision.
 * At 0, unset or empty (the default), Boot's own sampler decides by the probability alone.
 *
 * <p>A service believes the sampling decision of the trace it joins: the platform's own callers (the gateway, a
 * service publishing an event) made it. The edge must not: with {@code pathways.tracing.cap-incoming-traces} (the
 * gateway sets it) a trace a caller outside sends in ({@code traceparent} marked sampled) is continued only as the cap
 * allows, so that no caller can have every request traced through every service by asking for it.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure"
        + ".OpenTelemetryTracingAutoConfiguration")
@ConditionalOnClass({Sampler.class, RateLimiter.class})
@ConditionalOnExpression("'${pathways.tracing.traces-per-second:0}'.trim().matches('[0-9]+')"
        + " && T(java.lang.Integer).parseInt('${pathways.tracing.traces-per-second:0}'.trim()) > 0")
public class TraceSamplingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(Sampler.class)
    Sampler otelSampler(@Value("${pathways.tracing.traces-per-second}") String perSecond,
                        @Value("${management.tracing.sampling.probability:0.1}") double probability,
                        @Value("${pathways.tracing.cap-incoming-traces:false}") boolean capIncoming) {
        Sampler capped = new TracesPerSecond(Integer.parseInt(perSecond.trim()), probability);
        return capIncoming ? Sampler.parentBasedBuilder(capped).setRemoteParentSampled(capped).build()
                : Sampler.parentBased(capped);
    }
}
