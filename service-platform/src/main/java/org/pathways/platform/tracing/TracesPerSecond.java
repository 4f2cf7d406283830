package org.pathways.platform.tracing;

import java.time.Duration;
import java.util.List;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * Starts at most {@code perSecond} new traces a second on this instance, after {@code probability}: at a person's
 * pace every request is traced whole; under load the traces are capped, and with them the CPU that recording and
 * exporting every span costs each service and the trace viewer. Used as the root sampler of a parent-based one, so a
 * trace is sampled or not as a whole: the services, consumers and webhooks follow the decision the trace's first
 * service (the gateway, for a request) made. The cap is Resilience4j's rate limiter, asked without waiting.
 */
final class TracesPerSecond implements Sampler {

    private final Sampler probability;
    private final RateLimiter limiter;
    private final String description;

    TracesPerSecond(int perSecond, double probability) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("pathways.tracing.traces-per-second must be at least 1");
        }
        this.probability = Sampler.traceIdRatioBased(probability);
        this.limiter = RateLimiter.of("traces", RateLimiterConfig.custom().limitForPeriod(perSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build());
        this.description = "TracesPerSecond{" + perSecond + ", " + this.probability.getDescription() + "}";
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        SamplingResult chance = probability.shouldSample(parentContext, traceId, name, spanKind, attributes,
                parentLinks);
        if (chance.getDecision() != SamplingDecision.RECORD_AND_SAMPLE || !limiter.acquirePermission()) {
            return SamplingResult.drop();
        }
        return chance;
    }

    @Override
    public String getDescription() {
        return description;
    }
}
