package org.pathways.progression.flows;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pathways.events.catalogue.EventType;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.messaging.inbox.AppliedEvents;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.events.EventData;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * Counts what happens across the partnership: events by type and day, and referral flows between agencies. Counts
 * are {@code $inc} upserts behind the inbox that record the event's id in the same write
 * ({@link FactStore#count}), so neither a redelivered event nor one delivered again after a crash between the count
 * and the inbox's mark is counted twice.
 */
@Component
public class PartnershipFlows implements Projection {

    public static final String DAILY = "daily-counts";
    static final String FLOWS = "referral-flows";
    static final int DAYS_SHOWN = 28;

    private final MongoTemplate mongo;
    private final Generations generations;
    private final FactStore facts;

    PartnershipFlows(MongoTemplate mongo, Generations generations, FactStore facts) {
        this.mongo = mongo;
        this.generations = generations;
        this.facts = facts;
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event, Generation generation) {
        String day = event.time().atZone(ZoneOffset.UTC).toLocalDate().toString();
        // Counted with the batch when the feed applies one (one bulk write for all its days and flows).
        facts.count(generation, DAILY, event.type() + "|" + day, event.id(), Map.of("type", event.type(), "day", day),
                Map.of("count", 1L));
        if (event.is(EventType.REFERRAL_SUBMITTED)) {
            ReferralSubmitted submitted = EventData.of(event, ReferralSubmitted.class);
            Map<String, Object> flow = new java.util.HashMap<>();
            flow.put("from", submitted.referringAgencyId());
            flow.put("to", submitted.receivingAgencyId());
            facts.count(generation, FLOWS, submitted.referringAgencyId() + "->" + submitted.receivingAgencyId(),
                    event.id(), flow, Map.of("submitted", 1L));
            return Optional.of(ProjectionChange.of("flows",
                    submitted.referringAgencyId(), submitted.receivingAgencyId()));
        }
        return Optional.of(ProjectionChange.of("events-by-day"));
    }

    /** One day's count of one event type, as shown. */
    public record DailyCount(String type, String day, ReportedCount count) {
    }

    /** Referrals submitted from one agency to another, as shown. */
    public record Flow(String from, String to, ReportedCount submitted) {
    }

    record StoredDailyCount(String type, String day, long count) {
    }

    record StoredFlow(String from, String to, long submitted) {
    }

    /** Events by type over the last {@value #DAYS_SHOWN} days up to {@code today}, read by {@code _id}. */
    public List<DailyCount> dailyCounts(java.time.LocalDate today) {
        List<String> ids = new java.util.ArrayList<>();
        for (int back = 0; back < DAYS_SHOWN; back++) {
            for (EventType type : EventType.values()) {
                ids.add(type.type() + "|" + today.minusDays(back));
            }
        }
        Query days = Query.query(Criteria.where("_id").in(ids)).with(Sort.by("day", "type"));
        days.fields().exclude(AppliedEvents.FIELD);
        return mongo.find(days, StoredDailyCount.class, generations.active().collection(DAILY))
                .stream().map(d -> new DailyCount(d.type(), d.day(), ReportedCount.of(d.count()))).toList();
    }

    public List<Flow> flows() {
        Query all = new Query().with(Sort.by("from", "to"));
        all.fields().exclude(AppliedEvents.FIELD);
        return mongo.find(all, StoredFlow.class, generations.active().collection(FLOWS))
                .stream().map(f -> new Flow(f.from(), f.to(), ReportedCount.of(f.submitted()))).toList();
    }
}
