package org.pathways.platform.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.ResourceAccessException;

/**
 * A gateway's call to a service that is down fails with the address in the exception's message; the span it leaves
 * is exported through {@link QueryFreeSpans} and carries the address without the learner search's words, in its tags,
 * its exception event (message and stack trace) and its error status alike.
 */
class QueryFreeSpansTest {

    private static final String SEARCHED = "http://localhost:8081/api/learners?q=Zoe+Quillan+2001-04-09&limit=20";

    @Test
    void everySpanExporterOfAServiceIsWrapped() {
        new org.springframework.boot.test.context.runner.ApplicationContextRunner()
                .withConfiguration(org.springframework.boot.autoconfigure.AutoConfigurations.of(
                        PlatformTracingAutoConfiguration.class))
                .withBean("zipkinSpanExporter", SpanExporter.class, () -> new Received())
                .run(context -> assertThat(context.getBean(SpanExporter.class)).isInstanceOf(QueryFreeSpans.class));
    }

    @Test
    void aFailedCallsSpanLeavesWithoutTheQueryOfTheAddressItQuotes() {
        Received received = new Received();
        List<SpanData> exported = received.spans;
        try (SdkTracerProvider tracing = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(new QueryFreeSpans(received))).build()) {
            Tracer tracer = tracing.get("test");
            Span span = tracer.spanBuilder("http get").startSpan();
            span.setAttribute("http.url", SEARCHED);
            span.setAttribute("note", "Are you sure? /a/path?with=query stays only up to its path");
            ResourceAccessException failure = new ResourceAccessException("I/O error on GET request for \""
                    + SEARCHED + "\": Connection refused");
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.getMessage());
            span.setAttribute("status", 503);
            span.end();
        }

        assertThat(exported).hasSize(1);
        SpanData span = exported.getFirst();
        String everything = span.getAttributes() + " " + span.getEvents().stream()
                .map(event -> event.getName() + event.getAttributes()).toList() + " " + span.getStatus();
        assertThat(everything).doesNotContain("Zoe", "Quillan", "2001-04-09", "limit=20")
                .contains("http://localhost:8081/api/learners", "Connection refused", "ResourceAccessException",
                        "Are you sure? /a/path stays");
        assertThat(span.getAttributes().asMap().values()).contains(503L);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getEvents()).singleElement().satisfies(event -> assertThat(event.getName())
                .isEqualTo("exception"));
    }

    /** An exporter that keeps what it is given. */
    private static final class Received implements SpanExporter {
        final List<SpanData> spans = new ArrayList<>();

        @Override
        public CompletableResultCode export(Collection<SpanData> exported) {
            spans.addAll(exported);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
