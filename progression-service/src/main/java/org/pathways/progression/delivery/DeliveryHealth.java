package org.pathways.progression.delivery;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.bson.Document;
import org.pathways.events.catalogue.EventType;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.delivery.WebhookParked;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.platform.security.Caller;
import org.pathways.progression.access.Audience;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.pathways.progression.report.ReportWindow;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Facts;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.pathways.progression.tally.DurationSketch;
import org.pathways.progression.tally.Tally;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Delivery health per agency, from the notification-service's {@code webhook-delivered} / {@code webhook-parked}
 * events: the facts of each delivery ({@value #COLLECTION}, by delivery id: agency, first delivered and parked times,
 * attempts) add to a daily bucket per agency (family {@value #FAMILY}, on the day it was first delivered or parked):
 * delivered (at the first attempt, or after retries), parked and not delivered since, parked then delivered; and the
 * time to deliver (from the event's occurrence to the acknowledgement, as the delivered event carries it) as DDSketch
 * bins of milliseconds, so the median and p90 per agency need no list of values. The times go to running sums over days
 * by agency ({@value #TIMES}, see {@link #TIMES_ROLL_UP}), not to the daily buckets. Coordinators only.
 */
@RestController
@RequestMapping("/api/progression")
@Order(3)
class DeliveryHealth implements Projection {

    static final String COLLECTION = "deliveries";
    static final String FAMILY = "deliveries";
    static final String PROJECTION = "deliveries";
    /** The delivery's time to deliver in milliseconds (capped at about 24 days), when its event carried it. */
    private static final String TO_DELIVER_MS = "deliveredAfterMs";
    /** The bucket's sketch of the times to deliver (bins of milliseconds) and how many it holds. */
    private static final String TO_DELIVER = "toDeliver";
    /**
     * The times to deliver of family {@value #FAMILY} ({@code toDeliver} bins and {@code toDeliverCount}) go to
     * running sums over days by agency (family {@value #TIMES}): a window's times read at most 33 nodes per
     * agency, each sketch's bins bounded by its accuracy, instead of one sketch per day whose bins grew with the
     * deliveries in it (as the referrals' durations did: see {@code ReferralProjection.DURATIONS}).
     */
    static final String TIMES = "delivery-times";
    static final FactStore.RollUp TIMES_ROLL_UP = new FactStore.RollUp(FAMILY, TIMES, List.of("agency"),
            List.of(TO_DELIVER));

    private final FactStore facts;
    private final Generations generations;
    private final Clock clock;

    DeliveryHealth(FactStore facts, Generations generations, Clock clock) {
        this.facts = facts;
        this.generations = generations;
        this.clock = clock;
    }

    /** The times to deliver's roll-up, declared to the store (known before anything is consumed or rebuilt). */
    @Bean
    static FactStore.RollUp timesToDeliver() {
        return TIMES_ROLL_UP;
    }

    @Override
    public void readAhead(Map<String, java.util.Set<String>> ids, Generation generation) {
        facts.readAhead(generation, COLLECTION, ids.getOrDefault("deliveryId", java.util.Set.of()));
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event, Generation generation) {
        if (event.is(EventType.WEBHOOK_DELIVERED)) {
            WebhookDelivered delivered = event.data(WebhookDelivered.class);
            Date at = Date.from(delivered.deliveredAt());
            return record(generation, delivered.deliveryId(), delivered.agencyId(), f -> {
                Date first = f.date("deliveredAt");
                // The time to deliver of the first delivery (a redelivery after parking is delivered again later).
                if (delivered.deliveredAfterMs() != null && (first == null || at.before(first))) {
                    f.set(TO_DELIVER_MS, (int) Math.min(Math.max(0, delivered.deliveredAfterMs()), Integer.MAX_VALUE));
                }
                f.min("deliveredAt", at).max("attempts", delivered.attempts());
            });
        }
        if (event.is(EventType.WEBHOOK_PARKED)) {
            WebhookParked parked = event.data(WebhookParked.class);
            return record(generation, parked.deliveryId(), parked.agencyId(), f -> f
                    .min("parkedAt", Date.from(parked.parkedAt())));
        }
        return Optional.empty();
    }

    private Optional<ProjectionChange> record(Generation generation, String deliveryId, String agencyId,
                                              java.util.function.Consumer<Facts> update) {
        facts.change(generation, COLLECTION, deliveryId, f -> {
            f.setIfAbsent("agencyId", agencyId);
            update.accept(f);
        }, DeliveryHealth::tallies);
        return Optional.of(ProjectionChange.of(PROJECTION));
    }

    private static List<Tally> tallies(Facts delivery) {
        Date delivered = delivery.date("deliveredAt");
        Date parked = delivery.date("parkedAt");
        Date first = delivered == null ? parked : parked == null || delivered.before(parked) ? delivered : parked;
        if (first == null) {
            return List.of();
        }
        int attempts = delivery.integer("attempts", 0);
        int toDeliver = delivery.integer(TO_DELIVER_MS, -1);
        Tally.Counts counts = new Tally.Counts();
        if (delivered != null && toDeliver >= 0) {
            counts.add(TO_DELIVER + "Count").add(TO_DELIVER + "." + DurationSketch.bin(toDeliver));
        }
        return List.of(new Tally(FAMILY, first.toInstant().atZone(ZoneOffset.UTC).toLocalDate(),
                Map.of("agency", delivery.string("agencyId")), counts
                .addIf(delivered != null, "delivered")
                .addIf(delivered != null && attempts <= 1, "deliveredFirstTime")
                .addIf(delivered != null && parked == null && attempts > 1, "deliveredAfterRetries")
                .addIf(delivered == null, "parked")
                .addIf(delivered != null && parked != null, "recoveredAfterParking")
                .add("attempts", delivered != null ? Math.max(attempts, 1) : 0).build()));
    }

    record AgencyDeliveries(String agencyId, ReportedCount delivered, ReportedCount deliveredFirstTime,
                            ReportedCount deliveredAfterRetries, ReportedCount parked,
                            ReportedCount recoveredAfterParking, Double firstTimeRate, Double parkedRate,
                            TimeToDeliver timeToDeliver) {
    }

    /**
     * How long deliveries took, from when their event happened to the endpoint's acknowledgement (first delivery
     * only): how many were timed (as shown), the median and the 90th percentile in milliseconds from the merged
     * DDSketch bins (within 1%), withheld (null) over fewer than {@value ReportedCount#THRESHOLD}, as response times
     * are. Deliveries announced without a duration (by earlier notification-service versions) are not timed.
     */
    record TimeToDeliver(ReportedCount count, Long medianMs, Long p90Ms) {

        static TimeToDeliver of(DurationSketch times) {
            long count = times.count();
            if (!ReportedCount.enoughToSummarise(count)) {
                return new TimeToDeliver(ReportedCount.of(count), null, null);
            }
            return new TimeToDeliver(ReportedCount.of(count), times.quantile(0.5), times.quantile(0.9));
        }
    }

    record DeliveryHealthReport(LocalDate from, LocalDate to, List<AgencyDeliveries> agencies) {
    }

    private static final List<String> COUNTS = List.of("delivered", "deliveredFirstTime", "deliveredAfterRetries",
            "parked", "recoveredAfterParking");

    @GetMapping("/delivery-health")
    DeliveryHealthReport report(Caller caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
        Audience.partnership(caller);
        ReportWindow window = ReportWindow.of(from, to, clock);
        Map<String, long[]> byAgency = new TreeMap<>();
        for (Document bucket : facts.buckets(generations.active(), FAMILY, window.from(), window.to())) {
            long[] counts = byAgency.computeIfAbsent(bucket.getString("agency"), a -> new long[COUNTS.size()]);
            for (int i = 0; i < COUNTS.size(); i++) {
                counts[i] += bucket.get(COUNTS.get(i)) instanceof Number n ? n.longValue() : 0;
            }
        }
        // The times to deliver, from running sums over days by agency (TIMES): none is read from the daily buckets (a
        // generation derived before they moved is rebuilt at start).
        Map<String, DurationSketch> timesByAgency = new TreeMap<>();
        for (Document sums : facts.runningSums(generations.active(), TIMES_ROLL_UP, window.from(), window.to())) {
            timesByAgency.computeIfAbsent(sums.getString("agency"), a -> new DurationSketch())
                    .add(sums.get(TO_DELIVER, Document.class));
        }
        List<AgencyDeliveries> agencies = new ArrayList<>();
        byAgency.forEach((agency, counts) -> {
            ReportedCount delivered = ReportedCount.of(counts[0]);
            ReportedCount parked = ReportedCount.of(counts[3]);
            ReportedCount firstTime = ReportedCount.of(counts[1]);
            ReportedCount all = ReportedCount.of(counts[0] + counts[3]);
            if (counts[0] + counts[3] > 0) {
                agencies.add(new AgencyDeliveries(agency, delivered, firstTime, ReportedCount.of(counts[2]), parked,
                        ReportedCount.of(counts[4]), ReportedCount.rate(firstTime, all),
                        ReportedCount.rate(parked, all),
                        TimeToDeliver.of(timesByAgency.getOrDefault(agency, new DurationSketch()))));
            }
        });
        return new DeliveryHealthReport(window.from(), window.to(), agencies);
    }
}
