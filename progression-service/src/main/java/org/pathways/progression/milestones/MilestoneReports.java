package org.pathways.progression.milestones;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bson.Document;
import org.pathways.progression.access.Audience;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.learners.LearnerProjection;
import org.pathways.progression.report.Period;
import org.pathways.progression.report.ReportWindow;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generations;
import org.pathways.progression.tally.Tally;
import org.springframework.stereotype.Component;

/**
 * Milestones counted by type and learning kind, by locality and by opportunity (pathway step), for the dates they
 * occurred on; and learning over time (achievements by kind, and learners moving up from informal to non-formal to
 * formal learning, per period). Added up from daily buckets: exact, whatever the number of milestones.
 */
@Component
class MilestoneReports {

    static final String UNKNOWN = Tally.UNKNOWN;
    static final String NONE = MilestoneProjection.NONE;

    private final FactStore store;
    private final Generations generations;

    MilestoneReports(FactStore store, Generations generations) {
        this.store = store;
        this.generations = generations;
    }

    /** A count for one milestone type and learning kind ({@code NONE} when not an achievement) within a group. */
    record MilestoneCount(String group, String milestone, String learningKind, ReportedCount count) {
    }

    record MilestonesReport(LocalDate from, LocalDate to, String localityCode, String opportunityId,
                            LearningKind learningKind, ReportedCount total,
                            List<MilestoneCount> byMilestone, List<MilestoneCount> byLocality,
                            List<MilestoneCount> byOpportunity) {
    }

    /** One period of learning: achievements by kind, and moves up from one kind to a higher one. */
    record LearningPeriod(LocalDate periodStart, Map<String, ReportedCount> achievements,
                          Map<String, ReportedCount> moves) {
    }

    record LearningProgressionReport(Period period, LocalDate from, LocalDate to, String localityCode,
                                     Map<String, ReportedCount> achievements, Map<String, ReportedCount> moves,
                                     List<LearningPeriod> periods) {
    }

    MilestonesReport report(Audience audience, ReportWindow window, String localityCode, String opportunityId,
                            LearningKind learningKind) {
        Map<List<String>, Long> byMilestone = new TreeMap<>(KEY_ORDER);
        Map<List<String>, Long> byLocality = new TreeMap<>(KEY_ORDER);
        Map<List<String>, Long> byOpportunity = new TreeMap<>(KEY_ORDER);
        long total = 0;
        for (Document bucket : store.buckets(generations.active(), MilestoneProjection.FAMILY, window.from(),
                window.to())) {
            long count = ((Number) bucket.get("milestones", 0)).longValue();
            if (count == 0 || !visible(audience, bucket)
                    || (localityCode != null && !localityCode.equals(bucket.getString("locality")))
                    || (opportunityId != null && !opportunityId.equals(bucket.getString("opportunity")))
                    || (learningKind != null && !learningKind.name().equals(bucket.getString("learningKind")))) {
                continue;
            }
            String type = bucket.getString("milestone");
            String kind = bucket.getString("learningKind");
            total += count;
            byMilestone.merge(List.of("", type, kind), count, Long::sum);
            byLocality.merge(List.of(bucket.getString("locality"), type, kind), count, Long::sum);
            String opportunity = bucket.getString("opportunity");
            if (!NONE.equals(opportunity)) {
                byOpportunity.merge(List.of(opportunity, type, kind), count, Long::sum);
            }
        }
        return new MilestonesReport(window.from(), window.to(), localityCode, opportunityId, learningKind,
                ReportedCount.of(total), rows(byMilestone, false), rows(byLocality, true),
                rows(byOpportunity, true));
    }

    LearningProgressionReport learning(ReportWindow window, Period period, String localityCode) {
        Map<String, Long> achievements = new TreeMap<>();
        Map<String, Long> moves = new TreeMap<>();
        Map<LocalDate, Map<String, Long>> achievedByPeriod = new TreeMap<>();
        Map<LocalDate, Map<String, Long>> movesByPeriod = new TreeMap<>();
        for (Document bucket : store.buckets(generations.active(), MilestoneProjection.FAMILY, window.from(),
                window.to())) {
            String kind = bucket.getString("learningKind");
            long count = ((Number) bucket.get("milestones", 0)).longValue();
            if (NONE.equals(kind) || count == 0
                    || (localityCode != null && !localityCode.equals(bucket.getString("locality")))) {
                continue;
            }
            achievements.merge(kind, count, Long::sum);
            achievedByPeriod.computeIfAbsent(period.start(LocalDate.parse(bucket.getString("day"))),
                    d -> new TreeMap<>()).merge(kind, count, Long::sum);
        }
        for (Document bucket : store.buckets(generations.active(), LearnerProjection.MOVES, window.from(),
                window.to())) {
            long count = ((Number) bucket.get("learners", 0)).longValue();
            if (count == 0 || (localityCode != null && !localityCode.equals(bucket.getString("locality")))) {
                continue;
            }
            String move = bucket.getString("from") + "->" + bucket.getString("to");
            moves.merge(move, count, Long::sum);
            movesByPeriod.computeIfAbsent(period.start(LocalDate.parse(bucket.getString("day"))),
                    d -> new TreeMap<>()).merge(move, count, Long::sum);
        }
        java.util.SortedSet<LocalDate> starts = new java.util.TreeSet<>(achievedByPeriod.keySet());
        starts.addAll(movesByPeriod.keySet());
        List<LearningPeriod> periods = new ArrayList<>();
        for (LocalDate start : starts) {
            periods.add(new LearningPeriod(start, ReportedCount.ofEach(achievedByPeriod.getOrDefault(start, Map.of())),
                    ReportedCount.ofEach(movesByPeriod.getOrDefault(start, Map.of()))));
        }
        return new LearningProgressionReport(period, window.from(), window.to(), localityCode,
                ReportedCount.ofEach(achievements), ReportedCount.ofEach(moves), periods);
    }

    private static boolean visible(Audience audience, Document bucket) {
        return audience.wholePartnership() || audience.agencyId().equals(bucket.getString("recorder"))
                || audience.agencyId().equals(bucket.getString("referring"))
                || audience.agencyId().equals(bucket.getString("receiving"));
    }

    private static final Comparator<List<String>> KEY_ORDER =
            Comparator.comparing((List<String> key) -> String.join("|", key));

    private static List<MilestoneCount> rows(Map<List<String>, Long> counts, boolean grouped) {
        List<MilestoneCount> rows = new ArrayList<>();
        counts.forEach((key, count) -> {
            if (count > 0) {
                rows.add(new MilestoneCount(grouped ? key.get(0) : null, key.get(1), key.get(2),
                        ReportedCount.of(count)));
            }
        });
        return rows;
    }
}
