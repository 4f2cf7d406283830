package org.pathways.progression.funnel;

import static org.pathways.progression.funnel.ReferralProjection.DURATIONS_ROLL_UP;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.bson.Document;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.referral.ReferralReason;
import org.pathways.progression.access.Audience;
import org.pathways.progression.disclosure.DurationSummary;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.report.Period;
import org.pathways.progression.report.ReportWindow;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generations;
import org.springframework.stereotype.Component;

/**
 * Funnel, response-time and missing-provision reports, added up from the daily funnel buckets of the window: the
 * documents read grow with the days and the cuts asked for, never with the number of referrals, and every total is
 * exact.
 */
@Component
public class ReferralReports {

    private final FactStore store;
    private final Generations generations;

    ReferralReports(FactStore store, Generations generations) {
        this.store = store;
        this.generations = generations;
    }

    /** The cuts a funnel can be broken down by. */
    public enum Cut {
        RECEIVING_AGENCY("receiving"), REFERRING_AGENCY("referring"), OPPORTUNITY_KIND("kind"), LOCALITY("locality");

        private final String dim;

        Cut(String dim) {
            this.dim = dim;
        }

        String of(Document bucket) {
            return bucket.getString(dim);
        }
    }

    /** Which funnel buckets a report counts: the caller's audience and the filters asked for. */
    public record Filter(String receivingAgencyId, String referringAgencyId, OpportunityKind opportunityKind,
                         String localityCode) {

        public static Filter none() {
            return new Filter(null, null, null, null);
        }

        Predicate<Document> and(Audience audience) {
            return bucket -> (audience.wholePartnership() || audience.agencyId().equals(bucket.getString("receiving"))
                    || audience.agencyId().equals(bucket.getString("referring")))
                    && (receivingAgencyId == null || receivingAgencyId.equals(bucket.getString("receiving")))
                    && (referringAgencyId == null || referringAgencyId.equals(bucket.getString("referring")))
                    && (opportunityKind == null || opportunityKind.name().equals(bucket.getString("kind")))
                    && (localityCode == null || localityCode.equals(bucket.getString("locality")));
        }
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

    /** One period's funnel (or the window's total, or one group's), every count as shown ({@link ReportedCount}). */
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

    /** One group of a broken-down funnel: the value of the cut (an agency id, a kind, a locality code). */
    public record FunnelGroup(String group, FunnelBucket funnel) {
    }

    public record FunnelReport(Period period, LocalDate from, LocalDate to, String receivingAgencyId,
                               String referringAgencyId, OpportunityKind opportunityKind, String localityCode,
                               Cut groupBy, FunnelBucket total, List<FunnelBucket> periods, List<FunnelGroup> groups) {
    }

    public record AgencyResponseTimes(String receivingAgencyId, DurationSummary acknowledge,
                                      DurationSummary decision, ReportedCount overdueAcknowledge,
                                      ReportedCount overdueDecide) {
    }

    public record ResponseTimesReport(LocalDate from, LocalDate to, List<AgencyResponseTimes> agencies) {
    }

    /** Rejections for want of a place or of eligibility, where and for what kind of opportunity. */
    public record MissingProvision(String localityCode, String opportunityKind, ReportedCount referred,
                                   ReportedCount noCapacity, ReportedCount notEligible) {
    }

    public record MissingProvisionReport(LocalDate from, LocalDate to, ReportedCount noCapacity,
                                         ReportedCount notEligible, List<MissingProvision> gaps) {
    }

    public FunnelReport funnel(Audience audience, ReportWindow window, Period period, Filter filter, Cut groupBy) {
        FunnelTally total = new FunnelTally();
        Map<LocalDate, FunnelTally> byPeriod = new TreeMap<>();
        Map<String, FunnelTally> byGroup = new TreeMap<>();
        for (Document bucket : buckets(audience, window, filter)) {
            LocalDate day = LocalDate.parse(bucket.getString("day"));
            byPeriod.computeIfAbsent(period.start(day), d -> new FunnelTally()).add(bucket);
            if (groupBy != null) {
                byGroup.computeIfAbsent(groupBy.of(bucket), g -> new FunnelTally()).add(bucket);
            }
            total.add(bucket);
        }
        List<FunnelBucket> periods = new ArrayList<>();
        byPeriod.forEach((start, tally) -> {
            if (tally.reached(FunnelStage.SUBMITTED) > 0) {
                periods.add(FunnelBucket.of(start, tally));
            }
        });
        List<FunnelGroup> groups = new ArrayList<>();
        byGroup.forEach((group, tally) -> {
            if (tally.reached(FunnelStage.SUBMITTED) > 0) {
                groups.add(new FunnelGroup(group, FunnelBucket.of(window.from(), tally)));
            }
        });
        return new FunnelReport(period, window.from(), window.to(), filter.receivingAgencyId(),
                filter.referringAgencyId(), filter.opportunityKind(), filter.localityCode(), groupBy,
                FunnelBucket.of(window.from(), total), periods, groups);
    }

    public ResponseTimesReport responseTimes(Audience audience, ReportWindow window, String receivingAgencyId) {
        Map<String, FunnelTally> byAgency = new TreeMap<>();
        Filter filter = new Filter(receivingAgencyId, null, null, null);
        for (Document bucket : buckets(audience, window, filter)) {
            byAgency.computeIfAbsent(bucket.getString("receiving"), a -> new FunnelTally()).add(bucket);
        }
        // The durations, from running sums over days by pair of agencies (see ReferralProjection.DURATIONS).
        for (Document sums : store.runningSums(generations.active(), ReferralProjection.DURATIONS_ROLL_UP,
                window.from(), window.to())) {
            FunnelTally tally = byAgency.get(sums.getString("receiving"));
            if (tally != null && filter.and(audience).test(sums)) {
                tally.add(sums);
            }
        }
        List<AgencyResponseTimes> agencies = new ArrayList<>();
        byAgency.forEach((agency, tally) -> {
            if (tally.reached(FunnelStage.SUBMITTED) > 0) {
                agencies.add(new AgencyResponseTimes(agency, DurationSummary.of(tally.acknowledge()),
                        DurationSummary.of(tally.decision()), ReportedCount.of(tally.overdueAcknowledge()),
                        ReportedCount.of(tally.overdueDecide())));
            }
        });
        return new ResponseTimesReport(window.from(), window.to(), agencies);
    }

    public MissingProvisionReport missingProvision(Audience audience, ReportWindow window, Filter filter) {
        Map<List<String>, FunnelTally> byPlace = new TreeMap<>((a, b) -> String.join("|", a)
                .compareTo(String.join("|", b)));
        FunnelTally total = new FunnelTally();
        for (Document bucket : buckets(audience, window, filter)) {
            byPlace.computeIfAbsent(List.of(bucket.getString("locality"), bucket.getString("kind")),
                    k -> new FunnelTally()).add(bucket);
            total.add(bucket);
        }
        String noCapacity = ReferralReason.NO_CAPACITY.name();
        String notEligible = ReferralReason.NOT_ELIGIBLE.name();
        List<MissingProvision> gaps = new ArrayList<>();
        byPlace.forEach((place, tally) -> {
            long full = tally.rejectedByReason().getOrDefault(noCapacity, 0L);
            long ineligible = tally.rejectedByReason().getOrDefault(notEligible, 0L);
            if (full + ineligible > 0) {
                gaps.add(new MissingProvision(place.get(0), place.get(1),
                        ReportedCount.of(tally.reached(FunnelStage.SUBMITTED)), ReportedCount.of(full),
                        ReportedCount.of(ineligible)));
            }
        });
        return new MissingProvisionReport(window.from(), window.to(),
                ReportedCount.of(total.rejectedByReason().getOrDefault(noCapacity, 0L)),
                ReportedCount.of(total.rejectedByReason().getOrDefault(notEligible, 0L)), gaps);
    }

    private List<Document> buckets(Audience audience, ReportWindow window, Filter filter) {
        List<Document> buckets = store.buckets(generations.active(), ReferralProjection.FUNNEL, window.from(),
                window.to()).stream().filter(filter.and(audience)).toList();
        // Durations counted in the daily buckets before they went to running sums (a generation not rebuilt since):
        // not read, so nothing is counted twice (see ReferralProjection.DURATIONS).
        buckets.forEach(bucket -> DURATIONS_ROLL_UP.fields().forEach(field -> {
            bucket.remove(field);
            bucket.remove(field + "Count");
        }));
        return buckets;
    }
}
