package org.pathways.messaging.deadletter;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The service's dead letters, for its platform administrators: listed (open ones by default), inspected without
 * their data, re-driven to where they came from, or discarded with a reason. A re-driven record keeps its event id,
 * so a consumer that did in fact apply it skips it (inbox); one that fails again is dead-lettered again, as a new
 * dead letter. A learner's withdrawal of consent or erasure left here is flagged {@code sensitive} and counted
 * apart in {@code pathways.dead.letters.open{sensitive}}, which the alerts watch.
 */
public class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final Pattern ID = Pattern.compile("(\\d{1,9})-(\\d{1,18})");
    private static final int MESSAGE_LENGTH = 300;
    static final String NONE = "none";

    /** Why a dead letter matters beyond its service: the learner's rights wait on it. */
    enum Sensitive {
        CONSENT_WITHDRAWAL("consent-withdrawal"), ERASURE("erasure");

        final String tag;

        Sensitive(String tag) {
            this.tag = tag;
        }

        static Optional<Sensitive> of(String type) {
            return EventType.ofType(type == null ? "" : type).flatMap(known -> switch (known) {
                case CONSENT_WITHDRAWN -> Optional.of(CONSENT_WITHDRAWAL);
                case LEARNER_ERASED -> Optional.of(ERASURE);
                default -> Optional.empty();
            });
        }
    }

    /** One page of dead letters. */
    public record DeadLetterPage(String service, String topic, int page, int size, long total,
                                 List<DeadLetter> deadLetters) {
    }

    private final String service;
    private final DeadLetterTopic topic;
    private final DeadLetterStates states;
    private final CloudEventCodec codec;
    private final Clock clock;
    private final AtomicLong openOrdinary = new AtomicLong();
    private final Map<Sensitive, AtomicLong> openSensitive = new EnumMap<>(Sensitive.class);

    public DeadLetters(String service, DeadLetterTopic topic, DeadLetterStates states, CloudEventCodec codec,
                       Clock clock, MeterRegistry meters) {
        this.service = service;
        this.topic = topic;
        this.states = states;
        this.codec = codec;
        this.clock = clock;
        Gauge.builder("pathways.dead.letters.open", openOrdinary, AtomicLong::get).tag("sensitive", NONE)
                .description("Dead-lettered records neither re-driven nor discarded").register(meters);
        for (Sensitive kind : Sensitive.values()) {
            AtomicLong count = new AtomicLong();
            openSensitive.put(kind, count);
            Gauge.builder("pathways.dead.letters.open", count, AtomicLong::get).tag("sensitive", kind.tag)
                    .description("Dead-lettered records neither re-driven nor discarded").register(meters);
        }
    }

    /** The dead letters in {@code state} (all when null), oldest first; refreshes the gauges on the way. */
    public DeadLetterPage list(DeadLetter.State state, int page, int size) {
        List<DeadLetter> all = all();
        List<DeadLetter> chosen = state == null ? all : all.stream().filter(d -> d.state() == state).toList();
        int from = (int) Math.min((long) page * size, chosen.size());
        return new DeadLetterPage(service, topic.name(), page, size, chosen.size(),
                chosen.subList(from, Math.min(from + size, chosen.size())));
    }

    public Optional<DeadLetter> find(String id) {
        return coordinates(id).flatMap(at -> topic.read(at.partition, at.offset)).map(record -> {
            DeadLetter view = view(record);
            return states.find(view.id()).map(done -> view.resolved(done.state(), done.resolution())).orElse(view);
        });
    }

    /**
     * Sends the record back to its original topic, once: the first of two concurrent re-drives or discards wins, the
     * other answers the dead letter as the winner left it ({@link AlreadyResolved}).
     */
    public DeadLetter redrive(String id, String by) {
        DeadLetterTopic.Record record = coordinates(id).flatMap(at -> topic.read(at.partition, at.offset))
                .orElseThrow(() -> new NoSuchDeadLetter(id));
        DeadLetter view = view(record);
        if (view.origin().topic() == null) {
            throw new NotRedrivable(id);
        }
        DeadLetter.DeadLetterResolution how = new DeadLetter.DeadLetterResolution(by, clock.instant(), null);
        claim(view, DeadLetter.State.REDRIVEN, how);
        try {
            topic.redrive(record, view.origin().topic());
        } catch (RuntimeException failed) {
            states.release(view.id());
            throw failed;
        }
        log.info("Dead letter {} on {} (event {}, {}) re-driven to {}", view.id(), topic.name(), eventId(view),
                view.event() == null ? "not a CloudEvent" : view.event().type(), view.origin().topic());
        refreshGauges();
        return view.resolved(DeadLetter.State.REDRIVEN, how);
    }

    /** Marks the dead letter as given up on, with the administrator's reason; it is not offered again. */
    public DeadLetter discard(String id, String by, String reason) {
        DeadLetter view = find(id).orElseThrow(() -> new NoSuchDeadLetter(id));
        DeadLetter.DeadLetterResolution how = new DeadLetter.DeadLetterResolution(by, clock.instant(), reason);
        claim(view, DeadLetter.State.DISCARDED, how);
        log.info("Dead letter {} on {} (event {}) discarded{}", view.id(), topic.name(), eventId(view),
                view.sensitive() == null ? "" : " (" + view.sensitive() + ")");
        refreshGauges();
        return view.resolved(DeadLetter.State.DISCARDED, how);
    }

    /**
     * Recounts the open dead letters for the gauges; every instance, every {@code scan-every}. Reading the topic waits
     * on the broker (up to its timeout each step), on this task's own scheduler thread (service-platform's
     * {@code PeriodicTasksAutoConfiguration}): once, when all periodic tasks shared one thread, it held the others for
     * over 30 s.
     */
    @Scheduled(fixedDelayString = "${pathways.messaging.dead-letters.scan-every:PT1M}",
            initialDelayString = "${pathways.messaging.dead-letters.first-scan-after:PT20S}")
    public void refreshGauges() {
        try {
            all();
        } catch (DeadLetterTopicUnavailable unavailable) {
            log.warn("Could not count the dead letters: {}", unavailable.getMessage());
        }
    }

    private void claim(DeadLetter view, DeadLetter.State state, DeadLetter.DeadLetterResolution how) {
        states.claim(view.id(), eventId(view), state, how).ifPresent(earlier -> {
            throw new AlreadyResolved(view.resolved(earlier.state(), earlier.resolution()));
        });
    }

    private List<DeadLetter> all() {
        List<DeadLetter> views = topic.readAll().stream().map(this::view).toList();
        Map<String, DeadLetterStates.Resolved> done = states.of(views.stream().map(DeadLetter::id).toList());
        List<DeadLetter> all = views.stream().map(view -> {
            DeadLetterStates.Resolved resolved = done.get(view.id());
            return resolved == null ? view : view.resolved(resolved.state(), resolved.resolution());
        }).toList();
        long ordinary = 0;
        Map<Sensitive, Long> sensitive = new EnumMap<>(Sensitive.class);
        for (DeadLetter deadLetter : all) {
            if (deadLetter.state() != DeadLetter.State.OPEN) {
                continue;
            }
            Optional<Sensitive> kind = deadLetter.event() == null ? Optional.empty()
                    : Sensitive.of(deadLetter.event().type());
            if (kind.isPresent()) {
                sensitive.merge(kind.get(), 1L, Long::sum);
            } else {
                ordinary++;
            }
        }
        openOrdinary.set(ordinary);
        openSensitive.forEach((kind, count) -> count.set(sensitive.getOrDefault(kind, 0L)));
        return all;
    }

    private DeadLetter view(DeadLetterTopic.Record record) {
        DeadLetter.DeadLetterOrigin origin = new DeadLetter.DeadLetterOrigin(record.text("x-original-topic"),
                toInt(record.number("x-original-partition")), record.number("x-original-offset"),
                toInstant(record.number("x-original-timestamp")));
        DeadLetter.DeadLetterFailure failure = new DeadLetter.DeadLetterFailure(record.text("x-exception-fqcn"),
                rootCause(record.text("x-exception-stacktrace")), shortened(record.text("x-exception-message")));
        DeadLetter.DeadLetterEnvelope envelope = codec.envelope(record.value())
                .map(event -> new DeadLetter.DeadLetterEnvelope(event.getId(), event.getType(),
                        event.getSource() == null ? null : event.getSource().toString(),
                        event.getTime() == null ? null : event.getTime().toInstant()))
                .orElse(null);
        String sensitive = envelope == null ? null : Sensitive.of(envelope.type()).map(kind -> kind.tag)
                .orElse(null);
        return new DeadLetter(record.id(), record.timestamp(), origin, failure, envelope, sensitive,
                DeadLetter.State.OPEN, null);
    }

    private static String eventId(DeadLetter view) {
        return view.event() == null ? null : view.event().id();
    }

    /** The innermost "Caused by:" of a stack trace: its exception class only. */
    static String rootCause(String stackTrace) {
        if (stackTrace == null) {
            return null;
        }
        String cause = null;
        Matcher causedBy = Pattern.compile("(?m)^Caused by: ([\\w.$]+)").matcher(stackTrace);
        while (causedBy.find()) {
            cause = causedBy.group(1);
        }
        if (cause == null) {
            Matcher first = Pattern.compile("^([\\w.$]+)").matcher(stackTrace);
            cause = first.find() ? first.group(1) : null;
        }
        return cause;
    }

    /** The exception message without the dump of the failed message Spring appends, and not longer than needed. */
    static String shortened(String message) {
        if (message == null) {
            return null;
        }
        String kept = message;
        int dump = kept.indexOf("failedMessage=");
        if (dump >= 0) {
            kept = kept.substring(0, dump).replaceAll("[,;\\s]+$", "");
        }
        return kept.length() <= MESSAGE_LENGTH ? kept : kept.substring(0, MESSAGE_LENGTH) + "…";
    }

    private static Integer toInt(Long value) {
        return value == null ? null : value.intValue();
    }

    private static Instant toInstant(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
    }

    private record Coordinates(int partition, long offset) {
    }

    private static Optional<Coordinates> coordinates(String id) {
        Matcher matcher = ID.matcher(id == null ? "" : id);
        return matcher.matches()
                ? Optional.of(new Coordinates(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(2))))
                : Optional.empty();
    }

    /** No dead letter with that id on this service's topic. */
    public static class NoSuchDeadLetter extends RuntimeException {
        public NoSuchDeadLetter(String id) {
            super("No dead letter " + id);
        }
    }

    /** Re-driven or discarded already. */
    public static class AlreadyResolved extends RuntimeException {
        private final transient DeadLetter deadLetter;

        public AlreadyResolved(DeadLetter deadLetter) {
            super("Dead letter " + deadLetter.id() + " was " + deadLetter.state().name().toLowerCase() + " already");
            this.deadLetter = deadLetter;
        }

        public DeadLetter deadLetter() {
            return deadLetter;
        }
    }

    /** A record whose original topic is unknown cannot be sent back. */
    public static class NotRedrivable extends RuntimeException {
        public NotRedrivable(String id) {
            super("Dead letter " + id + " names no original topic");
        }
    }
}
