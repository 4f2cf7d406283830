package org.pathways.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Which sampler a service's tracing gets, with Spring Boot's OpenTelemetry auto-configuration as the services run it:
 * the platform's cap on new traces when {@code pathways.tracing.traces-per-second} is set (after the probability),
 * else Boot's own sampler by the probability alone; at the edge ({@code pathways.tracing.cap-incoming-traces}, the
 * gateway) the cap also holds for traces a caller sends in.
 */
class TraceSamplingAutoConfigurationTest {

    private final ApplicationContextRunner services = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TraceSamplingAutoConfiguration.class,
                    OpenTelemetrySdkAutoConfiguration.class, OpenTelemetryTracingAutoConfiguration.class));

    @Test
    void aCapOnNewTracesPerSecondIsTheRootOfAParentBasedSampler() {
        services.withPropertyValues("pathways.tracing.traces-per-second=10",
                "management.tracing.sampling.probability=0.5").run(context -> {
                    assertThat(context).hasSingleBean(Sampler.class);
                    assertThat(context.getBean(Sampler.class).getDescription()).startsWith("ParentBased{root:")
                            .contains("TracesPerSecond{10, TraceIdRatioBased{0.5");
                });
    }

    @Test
    void atTheEdgeATraceACallerSendsInIsContinuedOnlyAsTheCapAllows() {
        services.withPropertyValues("pathways.tracing.traces-per-second=2", "management.tracing.sampling.probability=1.0",
                "pathways.tracing.cap-incoming-traces=true").run(context ->
                assertThat(sampledOf(context.getBean(Sampler.class), 20)).as("of 20 requests asking to be traced")
                        .isLessThan(20));
        services.withPropertyValues("pathways.tracing.traces-per-second=2", "management.tracing.sampling.probability=1.0")
                .run(context -> assertThat(sampledOf(context.getBean(Sampler.class), 20))
                        .as("inside the platform, the caller's decision stands").isEqualTo(20));
    }

    @Test
    void anEmptySettingIsNoCap() {
        services.withPropertyValues("pathways.tracing.traces-per-second=", "management.tracing.sampling.probability=0.5")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(Sampler.class);
                    assertThat(context.getBean(Sampler.class).getDescription()).doesNotContain("TracesPerSecond");
                });
    }

    /** How many of {@code requests} spans, each under a remote parent marked sampled, the sampler keeps. */
    private static int sampledOf(Sampler sampler, int requests) {
        int sampled = 0;
        for (int request = 0; request < requests; request++) {
            SpanContext remote = SpanContext.createFromRemoteParent(IdGenerator.random().generateTraceId(),
                    IdGenerator.random().generateSpanId(), TraceFlags.getSampled(), TraceState.getDefault());
            SamplingResult result = sampler.shouldSample(Context.root().with(Span.wrap(remote)), remote.getTraceId(),
                    "http post", SpanKind.SERVER, Attributes.empty(), List.of());
            if (result.getDecision() == SamplingDecision.RECORD_AND_SAMPLE) {
                sampled++;
            }
        }
        return sampled;
    }

    @Test
    void withoutItBootsSamplerDecidesByTheProbability() {
        services.withPropertyValues("management.tracing.sampling.probability=0.5").run(context -> {
            assertThat(context).hasSingleBean(Sampler.class);
            assertThat(context.getBean(Sampler.class).getDescription()).doesNotContain("TracesPerSecond")
                    .contains("TraceIdRatioBased{0.5");
        });
    }
}
