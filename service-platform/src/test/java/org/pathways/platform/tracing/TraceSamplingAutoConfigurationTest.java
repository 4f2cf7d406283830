package org.pathways.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Which sampler a service's tracing gets, with Spring Boot's OpenTelemetry auto-configuration as the services run it:
 * the platform's cap on new traces when {@code pathways.tracing.traces-per-second} is set (after the probability),
 * else Boot's own sampler by the probability alone.
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
    void withoutItBootsSamplerDecidesByTheProbability() {
        services.withPropertyValues("management.tracing.sampling.probability=0.5").run(context -> {
            assertThat(context).hasSingleBean(Sampler.class);
            assertThat(context.getBean(Sampler.class).getDescription()).doesNotContain("TracesPerSecond")
                    .contains("TraceIdRatioBased{0.5");
        });
    }
}
