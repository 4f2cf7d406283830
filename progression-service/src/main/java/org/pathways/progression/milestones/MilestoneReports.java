package org.pathways.progression.milestones;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bson.Document;
import org.pathways.progression.access.Audience;
import org.pathways.progression.disclosure.ReportedCount;
import org.pathways.progression.report.ReportWindow;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * Milestones counted by type and learning kind, by locality and by opportunity (pathway step), for the dates they
 * occurred on. Reads at most {@value #MAX_MILESTONES} milestones (the latest in the window) and says when cut short.
 */
@Component
class MilestoneReports {

    static final int MAX_MILESTONES = 50_000;
    static final String UNKNOWN = "UNKNOWN";
    static final String NONE = "NONE";

    private final MongoTemplate mongo;

    MilestoneReports(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** A count for one milestone type and learning kind ({@code NONE} when not an achievement) within a group. */
    record MilestoneCount(String group, String milestone, String learningKind, ReportedCount count) {
    }

    record MilestonesReport(LocalDate from, LocalDate to, String localityCode, String opportunityId,
                            LearningKind learningKind, boolean truncated, ReportedCount total,
                            List<MilestoneCount> byMilestone, List<MilestoneCount> byLocality,
                            List<MilestoneCount> byOpportunity) {
    }

    MilestonesReport report(Audience audience, ReportWindow window, String localityCode, String opportunityId,
                            LearningKind learningKind) {
        Criteria criteria = Criteria.where("occurredOn").gte(Date.from(window.startInstant()))
                .lt(Date.from(window.endInstant()));
        if (localityCode != null) {
            criteria.and("localityCode").is(localityCode);
        }
        if (opportunityId != null) {
            criteria.and("opportunityId").is(opportunityId);
        }
        if (learningKind != null) {
            criteria.and("learningKind").is(learningKind.name());
        }
        List<Document> milestones = mongo.find(Query.query(audience.restrict(criteria))
                        .with(Sort.by(Sort.Direction.DESC, "occurredOn")).limit(MAX_MILESTONES),
                Document.class, MilestoneProjection.COLLECTION);
        Map<List<String>, Long> byMilestone = new TreeMap<>(KEY_ORDER);
        Map<List<String>, Long> byLocality = new TreeMap<>(KEY_ORDER);
        Map<List<String>, Long> byOpportunity = new TreeMap<>(KEY_ORDER);
        for (Document milestone : milestones) {
            String type = milestone.getString("milestone");
            String kind = orElse(milestone.getString("learningKind"), NONE);
            byMilestone.merge(List.of("", type, kind), 1L, Long::sum);
            byLocality.merge(List.of(orElse(milestone.getString("localityCode"), UNKNOWN), type, kind), 1L, Long::sum);
            String opportunity = milestone.getString("opportunityId");
            if (opportunity != null) {
                byOpportunity.merge(List.of(opportunity, type, kind), 1L, Long::sum);
            }
        }
        return new MilestonesReport(window.from(), window.to(), localityCode, opportunityId, learningKind,
                milestones.size() >= MAX_MILESTONES, ReportedCount.of(milestones.size()), rows(byMilestone, false),
                rows(byLocality, true), rows(byOpportunity, true));
    }

    private static final Comparator<List<String>> KEY_ORDER =
            Comparator.comparing((List<String> key) -> String.join("|", key));

    private static List<MilestoneCount> rows(Map<List<String>, Long> counts, boolean grouped) {
        List<MilestoneCount> rows = new ArrayList<>();
        counts.forEach((key, count) -> rows.add(
                new MilestoneCount(grouped ? key.get(0) : null, key.get(1), key.get(2), ReportedCount.of(count))));
        return rows;
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
