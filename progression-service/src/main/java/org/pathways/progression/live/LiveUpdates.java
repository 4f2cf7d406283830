package org.pathways.progression.live;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.pathways.platform.problem.ProblemException;
import org.pathways.progression.access.Audience;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.events.ProjectionChange;
import org.pathways.progression.events.ProjectionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events to coordinators' dashboards: a {@code changed} event naming which projections changed and how
 * many times since the last one (counts only, shown as {@link ReportedCount}s: no ids, no personal data), sent at
 * most once per flush interval;
 * a comment as heartbeat so that proxies keep an idle stream open; every stream ends after its lifetime (the
 * browser's EventSource reconnects). An agency worker hears only of changes to figures their agency is party to.
 */
@Component
public class LiveUpdates implements ProjectionListener {

    private static final Logger log = LoggerFactory.getLogger(LiveUpdates.class);

    private final LiveProperties properties;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    LiveUpdates(LiveProperties properties) {
        this.properties = properties;
    }

    private record Subscriber(String caller, Audience audience, SseEmitter emitter, Map<String, Long> pending) {
    }

    /**
     * Opens a stream for {@code caller} (who, as the sign-in names them). One person holds at most
     * {@code maxPerCaller} streams: a further one ends that person's oldest (a tab closed or a page left a moment
     * ago, whose end the server has not noticed yet), so the page they are looking at always has its stream, and
     * nobody can take more than their share of the instance's.
     */
    SseEmitter subscribe(String caller, Audience audience) {
        SseEmitter emitter = new SseEmitter(properties.lifetime().toMillis());
        Subscriber subscriber = new Subscriber(caller, audience, emitter, new ConcurrentHashMap<>());
        Subscriber oldest = null;
        synchronized (subscribers) {
            List<Subscriber> own = subscribers.stream().filter(open -> open.caller().equals(caller)).toList();
            if (own.size() >= properties.maxPerCaller()) {
                oldest = own.getFirst();
                subscribers.remove(oldest);
            } else if (subscribers.size() >= properties.maxSubscribers()) {
                throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, "too-many-subscribers",
                        "Too many live streams are open; retry later.");
            }
            subscribers.add(subscriber);
        }
        if (oldest != null) {
            // Said before it ends, so that the page it served stops reconnecting (which would end another of the
            // person's streams in turn): that page is one they left, or one of more tabs than they may hold.
            log.debug("Live stream replaced by a newer one of the same person");
            send(oldest, SseEmitter.event().name("replaced").data(Map.of(), MediaType.APPLICATION_JSON));
            oldest.emitter().complete();
        }
        emitter.onCompletion(() -> subscribers.remove(subscriber));
        emitter.onTimeout(() -> {
            subscribers.remove(subscriber);
            emitter.complete();
        });
        emitter.onError(e -> subscribers.remove(subscriber));
        send(subscriber, SseEmitter.event().name("ready").data(Map.of(), MediaType.APPLICATION_JSON)
                .reconnectTime(properties.heartbeat().toMillis()));
        return emitter;
    }

    /** Notes changes for the subscribers allowed to hear of them; sent on the next flush. */
    @Override
    public void changed(List<ProjectionChange> changes) {
        for (Subscriber subscriber : subscribers) {
            for (ProjectionChange change : changes) {
                if (subscriber.audience().sees(change.agencies())) {
                    subscriber.pending().merge(change.projection(), 1L, Long::sum);
                }
            }
        }
    }

    @Scheduled(fixedDelayString = "${pathways.progression.live.flush:PT1S}")
    void flush() {
        for (Subscriber subscriber : subscribers) {
            Map<String, ReportedCount> counts = new TreeMap<>();
            for (String projection : List.copyOf(subscriber.pending().keySet())) {
                Long count = subscriber.pending().remove(projection);
                if (count != null) {
                    counts.put(projection, ReportedCount.of(count));
                }
            }
            if (!counts.isEmpty()) {
                send(subscriber, SseEmitter.event().name("changed").data(counts, MediaType.APPLICATION_JSON));
            }
        }
    }

    @Scheduled(fixedDelayString = "${pathways.progression.live.heartbeat:PT15S}")
    void heartbeat() {
        for (Subscriber subscriber : subscribers) {
            send(subscriber, SseEmitter.event().comment("heartbeat"));
        }
    }

    int subscriberCount() {
        return subscribers.size();
    }

    private void send(Subscriber subscriber, SseEmitter.SseEventBuilder event) {
        try {
            subscriber.emitter().send(event);
        } catch (IOException | IllegalStateException gone) {
            // The client went away (or the stream already ended): forget it.
            log.debug("Live stream closed: {}", gone.getMessage());
            subscribers.remove(subscriber);
            subscriber.emitter().completeWithError(gone);
        }
    }
}
