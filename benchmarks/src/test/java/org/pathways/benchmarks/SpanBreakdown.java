package org.pathways.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where a handoff's time goes, from the services' own spans ({@code -Dbenchmark.spans=true}): a Zipkin intake on
 * loopback keeps every span, and for each handoff trace (one with the notification-service's {@code webhook POST})
 * the time is split at the relay's publish, the consumer span's start and end, and the webhook span's start and end;
 * the store commands inside the consumer span are counted. Exporting spans costs some time itself, so a run with it
 * is for attributing time, not for the headline figures.
 */
final class SpanBreakdown implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpServer server;
    private final List<JsonNode> spans = new CopyOnWriteArrayList<>();

    SpanBreakdown() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v2/spans", exchange -> {
            try (InputStream body = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                JSON.readTree(new String(body.readAllBytes(), StandardCharsets.UTF_8)).forEach(spans::add);
                exchange.sendResponseHeaders(202, -1);
            } catch (RuntimeException malformed) {
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/spans";
    }

    void clear() {
        spans.clear();
    }

    /** Prints the split of every handoff trace received so far, as p50/p99 in ms per segment. */
    void print(Consumer<String> line) {
        Map<String, List<JsonNode>> traces = spans.stream().collect(Collectors.groupingBy(
                span -> span.path("traceId").asString(), LinkedHashMap::new, Collectors.toList()));
        Map<String, List<Double>> segments = new LinkedHashMap<>();
        Map<String, Integer> commandsByName = new java.util.TreeMap<>();
        int handoffs = 0;
        for (List<JsonNode> trace : traces.values()) {
            JsonNode webhook = first(trace, "notification-service", "webhook post");
            JsonNode consumed = first(trace, "notification-service", "referral-events process");
            JsonNode published = first(trace, "referral-service", "pathways.referrals publish");
            if (webhook == null || consumed == null || published == null) {
                continue;
            }
            handoffs++;
            long consumeStart = start(consumed);
            long consumeEnd = end(consumed);
            List<JsonNode> commands = trace.stream().filter(s -> service(s).equals("notification-service")
                    && !s.path("name").asString().equals("referral-events process")
                    && !s.path("name").asString().startsWith("webhook")
                    && start(s) >= consumeStart && start(s) <= start(webhook)).toList();
            long inConsumer = commands.stream().filter(s -> end(s) <= consumeEnd).count();
            long storeMicros = commands.stream().filter(s -> end(s) <= consumeEnd).mapToLong(s -> s.path("duration")
                    .asLong()).sum();
            commands.stream().filter(s -> end(s) <= consumeEnd)
                    .forEach(s -> commandsByName.merge(s.path("name").asString(), 1, Integer::sum));
            add(segments, "publish end -> consumer span start", start(consumed) - end(published));
            add(segments, "consumer span (inbox, routing, fan-out)", consumeEnd - consumeStart);
            add(segments, "  of which store commands (sum)", storeMicros);
            add(segments, "  store commands (count)", inConsumer * 1000);
            add(segments, "consumer span start -> webhook span start", start(webhook) - consumeStart);
            add(segments, "  of which before the consumer span ends", Math.min(start(webhook), consumeEnd)
                    - consumeStart);
            add(segments, "webhook span (signing, HTTP)", webhook.path("duration").asLong());
            add(segments, "store commands of the dispatcher (count)", commands.stream()
                    .filter(s -> start(s) > consumeStart && end(s) <= start(webhook) && start(s) >= consumeEnd)
                    .count() * 1000);
        }
        line.accept("  where the time of %d traced handoffs went (p50 / p99 ms; counts are numbers):".formatted(handoffs));
        segments.forEach((name, values) -> {
            Collections.sort(values);
            line.accept("    %-48s %8.1f %8.1f".formatted(name, quantile(values, 0.5), quantile(values, 0.99)));
        });
        if (handoffs > 0) {
            line.accept("    store commands inside the consumer span, per handoff: " + commandsByName.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .map(e -> e.getKey() + " " + "%.1f".formatted((double) e.getValue() / handoffs_(segments)))
                    .collect(Collectors.joining(", ")));
        }
    }

    private static int handoffs_(Map<String, List<Double>> segments) {
        return segments.values().stream().findFirst().map(List::size).orElse(1);
    }

    private static void add(Map<String, List<Double>> segments, String name, long micros) {
        segments.computeIfAbsent(name, n -> new ArrayList<>()).add(micros / 1000.0);
    }

    private static double quantile(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1,
                Math.floor(q * sorted.size())));
    }

    private static JsonNode first(List<JsonNode> trace, String service, String name) {
        return trace.stream().filter(s -> service(s).equals(service) && s.path("name").asString().equalsIgnoreCase(name))
                .min(Comparator.comparingLong(SpanBreakdown::start)).orElse(null);
    }

    private static String service(JsonNode span) {
        return span.path("localEndpoint").path("serviceName").asString();
    }

    private static long start(JsonNode span) {
        return span.path("timestamp").asLong();
    }

    private static long end(JsonNode span) {
        return start(span) + span.path("duration").asLong();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
