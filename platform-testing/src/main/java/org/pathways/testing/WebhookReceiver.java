package org.pathways.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * An agency's own system receiving webhooks: a real HTTP server on loopback that records every request (at any path)
 * and answers with a script of status codes, then a default (200). It can also play a slow or hung system, and keeps
 * what a de-duplicating receiver would have processed (each {@code webhook-id} once).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived; header names are matched ignoring case. */
    public record Received(Instant at, String path, Map<String, List<String>> headers, String body) {

        /** The first value of the header, or {@code null}. */
        public String header(String name) {
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
    private volatile Duration delay = Duration.ZERO;
    /** While held, every request waits for {@link #releaseAnswers()} before it is answered. */
    private volatile CountDownLatch held = new CountDownLatch(0);
    private final AtomicInteger answered = new AtomicInteger();
    /** What a de-duplicating receiver processed: each webhook-id once, in the order first acknowledged. */
    private final Set<String> processed = ConcurrentHashMap.newKeySet();
    private final List<String> processedInOrder = new CopyOnWriteArrayList<>();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
            received.add(new Received(Instant.now(), exchange.getRequestURI().getPath(), headers,
                    new String(body, StandardCharsets.UTF_8)));
            Answer answer = script.poll();
            if (answer == null) {
                answer = otherwise;
            }
            if (delay.isPositive()) {
                try {
                    Thread.sleep(delay);    // plays a slow agency system, not a test waiting
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                held.await(2, TimeUnit.MINUTES);   // plays a hung agency system
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (answer.status() >= 200 && answer.status() < 300) {
                String id = headers.getOrDefault("webhook-id", List.of("")).getFirst();
                if (processed.add(id)) {
                    processedInOrder.add(id);
                } else {
                    duplicates.incrementAndGet();
                }
            }
            answer.headers().forEach(exchange.getResponseHeaders()::add);
            inFlight.decrementAndGet();
            answered.incrementAndGet();
            exchange.sendResponseHeaders(answer.status(), -1);
            exchange.close();
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** This receiver's own endpoint (a path no other receiver uses). */
    public String url() {
        return url(path);
    }

    /** An endpoint at {@code path} on this receiver, for several agencies' endpoints on one server. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers the next request with {@code status} and {@code headers}. */
    public WebhookReceiver thenAnswer(int status, Map<String, String> headers) {
        script.add(new Answer(status, headers));
        return this;
    }

    public WebhookReceiver thenAnswer(int status) {
        return thenAnswer(status, Map.of());
    }

    /** Answers every request beyond the script with {@code status}. */
    public WebhookReceiver otherwiseAnswer(int status) {
        otherwise = new Answer(status, Map.of());
        return this;
    }

    /** Takes this long over every answer, like a slow agency system. */
    public WebhookReceiver answerAfter(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** Holds every request open, unanswered, until {@link #releaseAnswers()}: an agency system that hangs. */
    public WebhookReceiver holdAnswers() {
        held = new CountDownLatch(1);
        return this;
    }

    public void releaseAnswers() {
        held.countDown();
    }

    /** How many requests have been answered so far. */
    public int answered() {
        return answered.get();
    }

    /** The webhook-ids processed once each (a de-duplicating receiver), in order. */
    public List<String> processed() {
        return List.copyOf(processedInOrder);
    }

    /** The most requests this endpoint was handling at once. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** How many acknowledged requests repeated an id already processed. */
    public int duplicates() {
        return duplicates.get();
    }

    /** Every request received so far, in order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests received at {@code path}, in order. */
    public List<Received> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    public int count() {
        return received.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
