package org.pathways.progression.funnel;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bson.Document;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.progression.access.Audience;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.report.Period;
import org.pathways.progression.report.ReportWindow;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * Counts funnel and response-time reports from the per-referral projection, on request. Each report reads at most
 * {@value #MAX_REFERRALS} referrals (the newest in its window) and says when it was cut short.
 */
@Component
public class ReferralReports {

    static final int MAX_REFERRALS = 20_000;

    private final MongoTemplate mongo;

    ReferralReports(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /**
     * Conversion from each stage to the next; drop-off is its complement. Taken from the shown counts, and null
     * (withheld) where either count is suppressed or none reached the earlier stage.
     */
    public record StepRates(Double submittedToReceived, Double receivedToAccepted, Double acceptedToStarted,
                            Double startedToCompleted, Double submittedToCompleted) {

        static StepRates conversion(ReportedCount submitted, ReportedCount received, ReportedCount accepted,
                                    ReportedCount started, ReportedCount completed) {
            return new StepRates(ReportedCount.rate(received, submitted), ReportedCount.rate(accepted, received),
                    ReportedCount.rate(started, accepted), ReportedCount.rate(completed, started),
                    ReportedCount.rate(completed, submitted));
        }

        StepRates dropOff() {
            return new StepRates(complement(submittedToReceived), complement(receivedToAccepted),
                    complement(acceptedToStarted), complement(startedToCompleted), complement(submittedToCompleted));
        }

        private static Double complement(Double rate) {
            return rate == null ? null : Math.round(1000.0 * (1 - rate)) / 1000.0;
        }
    }

    /** One period's funnel (or the window's total), every count as shown ({@link ReportedCount}). */
    public record FunnelBucket(LocalDate periodStart, ReportedCount submitted, ReportedCount received,
                               ReportedCount accepted, ReportedCount started, ReportedCount completed,
                               ReportedCount rejected, Map<String, ReportedCount> rejectedByReason,
                               ReportedCount failed, Map<String, ReportedCount> failedByReason,
                               ReportedCount cancelled, Map<String, ReportedCount> cancelledByReason,
                               ReportedCount onHold, StepRates conversion, StepRates dropOff) {

        static FunnelBucket of(LocalDate periodStart, FunnelTally tally) {
            ReportedCount submitted = ReportedCount.of(tally.reached(FunnelStage.SUBMITTED));
            ReportedCount received = ReportedCount.of(tally.reached(FunnelStage.RECEIVED));
            ReportedCount accepted = ReportedCount.of(tally.reached(FunnelStage.ACCEPTED));
            ReportedCount started = ReportedCount.of(tally.reached(FunnelStage.STARTED));
            ReportedCount completed = ReportedCount.of(tally.reached(FunnelStage.COMPLETED));
            StepRates conversion = StepRates.conversion(submitted, received, accepted, started, completed);
            return new FunnelBucket(periodStart, submitted, received, accepted, started, completed,
                    ReportedCount.of(tally.rejected()), ReportedCount.ofEach(tally.rejectedByReason()),
                    ReportedCount.of(tally.failed()), ReportedCount.ofEach(tally.failedByReason()),
                    ReportedCount.of(tally.cancelled()), ReportedCount.ofEach(tally.cancelledByReason()),
                    ReportedCount.of(tally.onHold()), conversion, conversion.dropOff());
        }
    }

    public record FunnelReport(Period period, LocalDate from, LocalDate to, String receivingAgencyId,
                               OpportunityKind opportunityKind, boolean truncated, FunnelBucket total,
                               List<FunnelBucket> periods) {
    }

    public record AgencyResponseTimes(String receivingAgencyId, DurationSummary acknowledge,
                                      DurationSummary decision, ReportedCount overdueAcknowledge,
                                      ReportedCount overdueDecide) {
    }

    public record ResponseTimesReport(LocalDate from, LocalDate to, boolean truncated,
                                      List<AgencyResponseTimes> agencies) {
    }

    public FunnelReport funnel(Audience audience, ReportWindow window, Period period, String receivingAgencyId,
                               OpportunityKind opportunityKind) {
        List<Document> referrals = referrals(audience, window, receivingAgencyId, opportunityKind);
        FunnelTally total = new FunnelTally();
        Map<LocalDate, FunnelTally> byPeriod = new TreeMap<>();
        for (Document referral : referrals) {
            LocalDate day = referral.getDate("cohortAt").toInstant().atZone(ZoneOffset.UTC).toLocalDate();
            byPeriod.computeIfAbsent(period.start(day), d -> new FunnelTally()).add(referral);
            total.add(referral);
        }
        List<FunnelBucket> periods = new ArrayList<>();
        byPeriod.forEach((start, tally) -> periods.add(FunnelBucket.of(start, tally)));
        return new FunnelReport(period, window.from(), window.to(), receivingAgencyId, opportunityKind,
                referrals.size() >= MAX_REFERRALS, FunnelBucket.of(window.from(), total), periods);
    }

    public ResponseTimesReport responseTimes(Audience audience, ReportWindow window, String receivingAgencyId) {
        List<Document> referrals = referrals(audience, window, receivingAgencyId, null);
        Map<String, List<Long>> acknowledge = new TreeMap<>();
        Map<String, List<Long>> decision = new TreeMap<>();
        Map<String, long[]> overdue = new TreeMap<>();
        for (Document referral : referrals) {
            String agency = referral.getString("receivingAgencyId");
            List<Long> acks = acknowledge.computeIfAbsent(agency, a -> new ArrayList<>());
            List<Long> decisions = decision.computeIfAbsent(agency, a -> new ArrayList<>());
            long[] breaches = overdue.computeIfAbsent(agency, a -> new long[2]);
            Date submitted = referral.getDate("submittedAt");
            if (submitted != null) {
                secondsBetween(submitted, referral.getDate("receivedAt"), acks);
                Date accepted = referral.getDate("acceptedAt");
                secondsBetween(submitted, accepted != null ? accepted : referral.getDate("rejectedAt"), decisions);
            }
            breaches[0] += Boolean.TRUE.equals(referral.getBoolean("overdueACKNOWLEDGE")) ? 1 : 0;
            breaches[1] += Boolean.TRUE.equals(referral.getBoolean("overdueDECIDE")) ? 1 : 0;
        }
        List<AgencyResponseTimes> agencies = new ArrayList<>();
        acknowledge.forEach((agency, acks) -> agencies.add(new AgencyResponseTimes(agency,
                DurationSummary.of(acks), DurationSummary.of(decision.get(agency)),
                ReportedCount.of(overdue.get(agency)[0]), ReportedCount.of(overdue.get(agency)[1]))));
        return new ResponseTimesReport(window.from(), window.to(), referrals.size() >= MAX_REFERRALS, agencies);
    }

    private static void secondsBetween(Date from, Date to, List<Long> into) {
        if (to != null && !to.before(from)) {
            into.add((to.getTime() - from.getTime()) / 1000);
        }
    }

    private List<Document> referrals(Audience audience, ReportWindow window, String receivingAgencyId,
                                     OpportunityKind opportunityKind) {
        Criteria criteria = Criteria.where("cohortAt").gte(Date.from(window.startInstant()))
                .lt(Date.from(window.endInstant()));
        if (receivingAgencyId != null) {
            criteria.and("receivingAgencyId").is(receivingAgencyId);
        }
        if (opportunityKind != null) {
            criteria.and("opportunityKind").is(opportunityKind.name());
        }
        Query query = Query.query(audience.restrict(criteria))
                .with(Sort.by(Sort.Direction.DESC, "cohortAt")).limit(MAX_REFERRALS);
        return mongo.find(query, Document.class, ReferralProgressProjection.COLLECTION);
    }
}
