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

    /** Conversion from each stage to the next; drop-off is its complement. Null where none reached the earlier one. */
    public record StepRates(Double submittedToReceived, Double receivedToAccepted, Double acceptedToStarted,
                            Double startedToCompleted, Double submittedToCompleted) {

        static StepRates conversion(FunnelTally tally) {
            return new StepRates(tally.conversion(FunnelStage.SUBMITTED, FunnelStage.RECEIVED),
                    tally.conversion(FunnelStage.RECEIVED, FunnelStage.ACCEPTED),
                    tally.conversion(FunnelStage.ACCEPTED, FunnelStage.STARTED),
                    tally.conversion(FunnelStage.STARTED, FunnelStage.COMPLETED),
                    tally.conversion(FunnelStage.SUBMITTED, FunnelStage.COMPLETED));
        }

        StepRates dropOff() {
            return new StepRates(complement(submittedToReceived), complement(receivedToAccepted),
                    complement(acceptedToStarted), complement(startedToCompleted), complement(submittedToCompleted));
        }

        private static Double complement(Double rate) {
            return rate == null ? null : Math.round(1000.0 * (1 - rate)) / 1000.0;
        }
    }

    public record FunnelBucket(LocalDate periodStart, long submitted, long received, long accepted, long started,
                               long completed, long rejected, Map<String, Long> rejectedByReason, long failed,
                               Map<String, Long> failedByReason, long cancelled, Map<String, Long> cancelledByReason,
                               long onHold, StepRates conversion, StepRates dropOff) {

        static FunnelBucket of(LocalDate periodStart, FunnelTally tally) {
            StepRates conversion = StepRates.conversion(tally);
            return new FunnelBucket(periodStart, tally.reached(FunnelStage.SUBMITTED),
                    tally.reached(FunnelStage.RECEIVED), tally.reached(FunnelStage.ACCEPTED),
                    tally.reached(FunnelStage.STARTED), tally.reached(FunnelStage.COMPLETED), tally.rejected(),
                    tally.rejectedByReason(), tally.failed(), tally.failedByReason(), tally.cancelled(),
                    tally.cancelledByReason(), tally.onHold(), conversion, conversion.dropOff());
        }
    }

    public record FunnelReport(Period period, LocalDate from, LocalDate to, String receivingAgencyId,
                               OpportunityKind opportunityKind, boolean truncated, FunnelBucket total,
                               List<FunnelBucket> periods) {
    }

    public record AgencyResponseTimes(String receivingAgencyId, DurationSummary acknowledge,
                                      DurationSummary decision, long overdueAcknowledge, long overdueDecide) {
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
                overdue.get(agency)[0], overdue.get(agency)[1])));
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
