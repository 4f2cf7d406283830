package org.pathways.catalogue.search;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.bson.Document;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.OpportunityView;
import org.pathways.catalogue.opportunity.SearchText;
import org.pathways.catalogue.opportunity.Venue;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * The search as it was before the Lucene index, kept for {@link SearchBenchmark} only (old path beside the new):
 * first pages only (its cursor is gone). Searches what is listed (published or full). Every filter is a MongoDB criterion over a field a declared index
 * serves (see {@link Opportunity}); free text matches the stored {@code searchTokens} (a multikey index) rather than
 * {@code $text}, which the embedded store does not offer, and is scored here: a query word in the title counts 3,
 * in the subject terms 2, elsewhere 1, with a bonus when every word matched. Distance is haversine from the nearest
 * venue, pre-filtered by a bounding box on the venue coordinates.
 *
 * <p>Without text or a point, results are newest first and the database pages them (cursor on
 * {@code publishedAt, _id}). With them, the candidates are read with a projection of only what scoring needs,
 * ranked here, and only the page is read in full.
 */
class StoreScanSearch {

    private static final double KM_PER_DEGREE_LATITUDE = 111.2;

    private final MongoTemplate mongo;

    StoreScanSearch(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    public SearchResults search(SearchCriteria criteria) {
        return criteria.ranksByRelevance() ? ranked(criteria, filter(criteria, null))
                : newest(criteria, filter(criteria, null));
    }

    /** The old cursor: rank (lower is better), newest, id. */
    record RankKey(double rank, long publishedAtMillis, String id) {
        static final Comparator<RankKey> ORDER = Comparator.comparingDouble(RankKey::rank)
                .thenComparing(Comparator.comparingLong(RankKey::publishedAtMillis).reversed())
                .thenComparing(RankKey::id);
    }

    Criteria filter(SearchCriteria c, Criteria extra) {
        List<Criteria> all = new ArrayList<>();
        if (extra != null) {
            all.add(extra);
        }
        all.add(c.hasPlaces() ? Criteria.where("status").is(OpportunityStatus.PUBLISHED)
                : Criteria.where("status").in(OpportunityStatus.PUBLISHED, OpportunityStatus.FULL));
        if (c.kind() != null) {
            all.add(Criteria.where("kind").is(c.kind()));
        }
        if (c.level() != null) {
            all.add(Criteria.where("level").is(c.level()));
        }
        if (c.language() != null) {
            all.add(Criteria.where("languages").is(c.language()));
        }
        if (c.accessibility() != null && !c.accessibility().isEmpty()) {
            all.add(Criteria.where("accessibility").all(c.accessibility()));
        }
        if (c.locality() != null) {
            all.add(Criteria.where("localities").is(c.locality().toLowerCase(Locale.ROOT)));
        }
        if (c.startsAfter() != null) {
            all.add(Criteria.where("schedule.startsOn").gte(c.startsAfter()));
        }
        if (c.startsBefore() != null) {
            all.add(Criteria.where("schedule.startsOn").lte(c.startsBefore()));
        }
        if (c.free()) {
            all.add(Criteria.where("free").is(true));
        }
        if (c.text() != null) {
            Set<String> tokens = SearchText.tokens(c.text());
            all.add(Criteria.where("searchTokens").in(tokens.isEmpty() ? Set.of("\u0000") : tokens));
        }
        if (c.near() != null) {
            double latSpan = c.withinKm() / KM_PER_DEGREE_LATITUDE;
            double lonSpan = c.withinKm() / (KM_PER_DEGREE_LATITUDE
                    * Math.max(0.01, Math.cos(Math.toRadians(c.near().latitude()))));
            all.add(Criteria.where("venues").elemMatch(Criteria.where("latitude")
                    .gte(c.near().latitude() - latSpan).lte(c.near().latitude() + latSpan)
                    .and("longitude").gte(c.near().longitude() - lonSpan).lte(c.near().longitude() + lonSpan)));
        }
        return new Criteria().andOperator(all);
    }

    private SearchResults newest(SearchCriteria c, Criteria filter) {
        Query query = Query.query(filter);
        query.with(Sort.by(Sort.Order.desc("publishedAt"), Sort.Order.asc("_id"))).limit(c.limit() + 1);
        List<Opportunity> found = mongo.find(query, Opportunity.class);
        List<SearchHit> hits = found.stream().limit(c.limit())
                .map(o -> new SearchHit(OpportunityView.of(o), null, null)).toList();
        boolean more = found.size() > c.limit();
        return new SearchResults(hits, more, null, -1, Map.of());
    }

    private record Candidate(String id, RankKey key, Double score, Double distanceKm) {
    }

    static final int MAX_CANDIDATES = 5_000;

    private SearchResults ranked(SearchCriteria c, Criteria filter) {
        // Scored in the service (the embedded store has no text search): bounded to the newest candidates, as
        // matching is, so one request never reads the whole catalogue.
        Query query = Query.query(filter)
                .with(org.springframework.data.domain.Sort.by(org.springframework.data.domain.Sort.Direction.DESC,
                        "publishedAt"))
                .limit(MAX_CANDIDATES);
        query.fields().include("_id", "titleTokens", "termTokens", "searchTokens", "venues.latitude",
                "venues.longitude", "publishedAt");
        Set<String> queryTokens = c.text() == null ? Set.of() : SearchText.tokens(c.text());
        List<Candidate> candidates = new ArrayList<>();
        // Read as plain documents: mapping thousands of candidates to entities costs more than scoring them.
        for (Document doc : mongo.find(query, Document.class, mongo.getCollectionName(Opportunity.class))) {
            Double distance = null;
            if (c.near() != null) {
                distance = nearestVenue(doc, c.near());
                if (distance == null || distance > c.withinKm()) {
                    continue;
                }
            }
            Double score = null;
            double rank;
            if (!queryTokens.isEmpty()) {
                score = score(doc, queryTokens);
                // Nearer breaks ties between equally relevant ones.
                rank = -score + (distance == null ? 0 : Math.min(distance, 999) / 1000.0);
            } else {
                rank = distance == null ? 0 : distance;
            }
            java.util.Date publishedAt = doc.getDate("publishedAt");
            RankKey key = new RankKey(rank, publishedAt == null ? 0 : publishedAt.getTime(),
                    String.valueOf(doc.get("_id")));
            candidates.add(new Candidate(key.id(), key, score, distance));
        }
        candidates.sort(Comparator.comparing(Candidate::key, RankKey.ORDER));
        List<Candidate> page = candidates.stream().limit(c.limit()).toList();
        Map<String, Opportunity> full = new HashMap<>();
        mongo.find(Query.query(Criteria.where("_id").in(page.stream().map(Candidate::id).toList())),
                Opportunity.class).forEach(o -> full.put(o.id(), o));
        List<SearchHit> hits = page.stream().filter(p -> full.containsKey(p.id()))
                .map(p -> new SearchHit(OpportunityView.of(full.get(p.id())),
                        p.score() == null ? null : Math.round(p.score() * 100) / 100.0,
                        p.distanceKm() == null ? null : Math.round(p.distanceKm() * 100) / 100.0))
                .toList();
        boolean more = candidates.size() > c.limit();
        return new SearchResults(hits, more, null, -1, Map.of());
    }

    /** A query word in the title counts 3, in the terms 2, in the description only 1; all words matched ×1.5. */
    static double score(Document doc, Set<String> queryTokens) {
        Collection<?> title = strings(doc, "titleTokens");
        Collection<?> terms = strings(doc, "termTokens");
        Collection<?> all = strings(doc, "searchTokens");
        double score = 0;
        int matched = 0;
        for (String token : queryTokens) {
            double weight = title.contains(token) ? 3 : terms.contains(token) ? 2 : all.contains(token) ? 1 : 0;
            score += weight;
            matched += weight > 0 ? 1 : 0;
        }
        return matched == queryTokens.size() ? score * 1.5 : score;
    }

    private static Collection<?> strings(Document doc, String field) {
        return doc.get(field) instanceof Collection<?> values ? values : List.of();
    }

    static Double nearestVenue(Document doc, SearchCriteria.Point point) {
        Double nearest = null;
        for (Object item : strings(doc, "venues")) {
            if (item instanceof Document venue && venue.get("latitude") instanceof Number lat
                    && venue.get("longitude") instanceof Number lon) {
                double d = Venue.kilometresBetween(point.latitude(), point.longitude(), lat.doubleValue(),
                        lon.doubleValue());
                nearest = nearest == null ? d : Math.min(nearest, d);
            }
        }
        return nearest;
    }
}
