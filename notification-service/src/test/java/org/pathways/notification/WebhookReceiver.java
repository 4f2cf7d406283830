package org.pathways.notification;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/**
 * An agency's webhook endpoint: a real HTTP server on loopback that records every request and answers with a script
 * of status codes (then a default).
 */
final class WebhookReceiver implements AutoCloseable {

    record Received(Instant at, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    private record Answer(int status, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final String path = "/hooks/" + UUID.randomUUID();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private volatile Answer otherwise = new Answer(200, Map.of());

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(path, exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
            received.add(new Received(Instant.now(), headers, new String(body, StandardCharsets.UTF_8)));
            Answer answer = script.poll();
            if (answer == null) {
                answer = otherwise;
            }
            answer.headers().forEach(exchange.getResponseHeaders()::add);
            exchange.sendResponseHeaders(answer.status(), -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers the next request with {@code status} and {@code headers}. */
    WebhookReceiver thenAnswer(int status, Map<String, String> headers) {
        script.add(new Answer(status, headers));
        return this;
    }

    WebhookReceiver thenAnswer(int status) {
        return thenAnswer(status, Map.of());
    }

    /** Answers every request beyond the script with {@code status}. */
    WebhookReceiver otherwiseAnswer(int status) {
        otherwise = new Answer(status, Map.of());
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    int count() {
        return received.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
