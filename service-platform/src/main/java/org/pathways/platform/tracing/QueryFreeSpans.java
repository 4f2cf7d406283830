package org.pathways.platform.tracing;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Every span leaves the service without the query of any address in its text: tags, events (an exception's message
 * and stack trace) and the error status. {@link AddressesWithoutQueries} cleans what Spring's HTTP observations tag,
 * but an HTTP client that fails (a refused connection, a time-out) raises an exception whose message quotes the
 * address it called ({@code I/O error on GET request for "…/api/learners?q=Zoë 2001-04-09"}), and the tracer records
 * it on the span as it happens, before any observation filter runs. So the exporter itself is wrapped: whatever it is
 * given, it sends with {@code ?…} cut from every address-like word (one that starts with a scheme or a '/').
 */
public final class QueryFreeSpans implements SpanExporter {

    /** A scheme's or a path's address, then its query: the address is kept, the query dropped. */
    private static final Pattern QUERY =
            Pattern.compile("((?:[A-Za-z][A-Za-z0-9+.-]*://|/)[^\\s\"'<>?#]*)\\?[^\\s\"'<>#]*");

    private final SpanExporter exporter;

    public QueryFreeSpans(SpanExporter exporter) {
        this.exporter = exporter;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        return exporter.export(spans.stream().map(QueryFreeSpans::clean).toList());
    }

    @Override
    public CompletableResultCode flush() {
        return exporter.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return exporter.shutdown();
    }

    @Override
    public void close() {
        exporter.close();
    }

    @Override
    public String toString() {
        return "QueryFreeSpans{" + exporter + "}";
    }

    static String clean(String text) {
        return text == null || text.indexOf('?') < 0 ? text : QUERY.matcher(text).replaceAll("$1");
    }

    static SpanData clean(SpanData span) {
        Attributes attributes = clean(span.getAttributes());
        List<EventData> events = span.getEvents().stream().map(event -> EventData.create(event.getEpochNanos(),
                event.getName(), clean(event.getAttributes()), event.getTotalAttributeCount())).toList();
        StatusData status = span.getStatus().getDescription() == null ? span.getStatus()
                : StatusData.create(span.getStatus().getStatusCode(), clean(span.getStatus().getDescription()));
        return new DelegatingSpanData(span) {
            @Override
            public Attributes getAttributes() {
                return attributes;
            }

            @Override
            public List<EventData> getEvents() {
                return events;
            }

            @Override
            public StatusData getStatus() {
                return status;
            }
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Attributes clean(Attributes attributes) {
        AttributesBuilder cleaned = Attributes.builder();
        attributes.forEach((key, value) -> {
            if (value instanceof String text) {
                cleaned.put((AttributeKey<String>) key, clean(text));
            } else {
                cleaned.put((AttributeKey) key, value);
            }
        });
        return cleaned.build();
    }
}
