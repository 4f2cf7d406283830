package org.pathways.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A trace viewer's intake, as the services meet it: Zipkin's span API ({@code POST /api/v2/spans}, JSON v2) on
 * loopback, keeping every span every service of the running platform exports.
 */
final class SpanCollector {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SpanCollector INSTANCE = start();

    private final HttpServer server;
    private final List<JsonNode> spans = new CopyOnWriteArrayList<>();
    private final List<String> raw = new CopyOnWriteArrayList<>();

    private SpanCollector(HttpServer server) {
        this.server = server;
    }

    static SpanCollector get() {
        return INSTANCE;
    }

    private static SpanCollector start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            SpanCollector collector = new SpanCollector(server);
            server.createContext("/api/v2/spans", exchange -> {
                try (InputStream body = "gzip".equalsIgnoreCase(
                        exchange.getRequestHeaders().getFirst("Content-Encoding"))
                        ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                    String json = new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    collector.raw.add(json);
                    JSON.readTree(json).forEach(collector.spans::add);
                    exchange.sendResponseHeaders(202, -1);
                } catch (RuntimeException malformed) {
                    exchange.sendResponseHeaders(400, -1);
                } finally {
                    exchange.close();
                }
            });
            server.start();
            return collector;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where the services send their spans. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/spans";
    }

    /** Every span of one trace received so far. */
    List<JsonNode> trace(String traceId) {
        return spans.stream().filter(span -> traceId.equals(span.path("traceId").asString())).toList();
    }

    /** Every span received so far. */
    List<JsonNode> all() {
        return List.copyOf(spans);
    }

    /** Everything received, as sent (to look for what must never be in a span). */
    String everything() {
        return String.join("\n", raw);
    }
}
