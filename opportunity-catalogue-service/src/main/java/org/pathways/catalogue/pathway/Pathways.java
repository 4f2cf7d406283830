package org.pathways.catalogue.pathway;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pathways.catalogue.opportunity.Change;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityChanged;
import org.pathways.catalogue.opportunity.OpportunityCatalogue;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.events.opportunity.OpportunityUpdated;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/**
 * Progression routes ("Confidence building" leads on to "Entry 2 English"...) and the pathways they make. A route
 * belongs to the opportunity it starts from, so its provider adds it; it may lead to any agency's listed
 * opportunity. Pathways are found breadth first, shortest first, with a cap on length and on how many are returned;
 * drafts of other agencies are never walked through. Adding or removing a route on an opportunity that is not a draft
 * announces {@code OpportunityUpdated} with its full current list of routes.
 */
@Service
public class Pathways {

    public static final int MAX_DEPTH = 8;
    static final int MAX_PATHS = 20;
    /** How many opportunities one pathway search may read, so a dense graph cannot make it unbounded. */
    static final int MAX_VISITS = 5_000;

    private final OpportunityCatalogue catalogue;
    private final MongoTemplate mongo;
    private final Outbox outbox;
    private final Clock clock;
    private final ApplicationEventPublisher changes;

    Pathways(OpportunityCatalogue catalogue, MongoTemplate mongo, Outbox outbox, Clock clock,
             ApplicationEventPublisher changes) {
        this.catalogue = catalogue;
        this.mongo = mongo;
        this.outbox = outbox;
        this.clock = clock;
        this.changes = changes;
    }

    private Opportunity save(Opportunity from, Change<OpportunityUpdated> change) {
        if (!change.changed()) {
            return from;
        }
        Opportunity saved = outbox.save(from, change.events());
        changes.publishEvent(new OpportunityChanged(saved.id()));
        return saved;
    }

    Opportunity addRoute(Caller caller, String fromId, String toId) {
        Opportunity from = catalogue.managedBy(caller, fromId);
        Opportunity to = catalogue.visibleTo(caller, toId);
        if (to.status() == OpportunityStatus.DRAFT && !to.isProvidedBy(caller.agencyId())) {
            throw ProblemException.notFound("opportunity", toId);
        }
        return save(from, from.leadOnTo(to.id(), clock.instant()));
    }

    Opportunity removeRoute(Caller caller, String fromId, String toId) {
        Opportunity from = catalogue.managedBy(caller, fromId);
        return save(from, from.removeRoute(toId, clock.instant()));
    }

    /**
     * The opportunities {@code id} leads on to directly, those that lead on to it, and everything reachable onward
     * within {@code depth} routes (breadth first, each with its distance in routes).
     */
    Onward onward(Caller caller, String id, int depth) {
        Opportunity from = catalogue.visibleTo(caller, id);
        List<PathwayStep> next = load(from.leadsTo()).values().stream()
                .filter(o -> o.isVisibleTo(caller.agencyId())).map(PathwayStep::of).toList();
        List<PathwayStep> previous = mongo.find(Query.query(Criteria.where("leadsTo").is(id)), Opportunity.class)
                .stream().filter(o -> o.isVisibleTo(caller.agencyId())).map(PathwayStep::of).toList();
        List<Reachable> reachable = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>(List.of(from.id()));
        List<Opportunity> frontier = List.of(from);
        for (int distance = 1; distance <= depth && !frontier.isEmpty() && seen.size() < MAX_VISITS; distance++) {
            List<String> ids = frontier.stream().flatMap(o -> o.leadsTo().stream()).filter(seen::add).distinct()
                    .toList();
            List<Opportunity> level = load(ids).values().stream().filter(o -> o.isVisibleTo(caller.agencyId()))
                    .sorted(java.util.Comparator.comparing(Opportunity::id)).toList();
            for (Opportunity o : level) {
                reachable.add(new Reachable(distance, PathwayStep.of(o)));
            }
            frontier = level;
        }
        return new Onward(PathwayStep.of(from), next, previous, reachable);
    }

    public record Reachable(int routes, PathwayStep opportunity) {
    }

    public record Onward(PathwayStep from, List<PathwayStep> leadsTo, List<PathwayStep> ledOnFrom,
                         List<Reachable> reachable) {
    }

    public record Found(List<List<PathwayStep>> pathways, boolean truncated) {
    }

    /** Every simple pathway from {@code fromId} to {@code toId} of at most {@code maxSteps} routes, shortest first. */
    Found between(Caller caller, String fromId, String toId, int maxSteps) {
        Opportunity from = catalogue.visibleTo(caller, fromId);
        catalogue.visibleTo(caller, toId);
        Map<String, Opportunity> known = new HashMap<>(Map.of(from.id(), from));
        Deque<List<String>> queue = new ArrayDeque<>();
        queue.add(List.of(from.id()));
        List<List<String>> found = new ArrayList<>();
        boolean truncated = false;
        int visits = 0;
        while (!queue.isEmpty()) {
            List<String> path = queue.poll();
            Opportunity last = known.get(path.getLast());
            if (path.size() > maxSteps) {
                continue;
            }
            List<String> unknown = last.leadsTo().stream().filter(id -> !known.containsKey(id)).toList();
            known.putAll(load(unknown));
            visits += 1 + unknown.size();   // every path expanded counts, so a dense graph cannot run away
            for (String next : last.leadsTo()) {
                Opportunity step = known.get(next);
                if (step == null || path.contains(next) || !step.isVisibleTo(caller.agencyId())) {
                    continue;
                }
                List<String> longer = new ArrayList<>(path);
                longer.add(next);
                if (next.equals(toId)) {
                    if (found.size() == MAX_PATHS) {
                        truncated = true;
                        break;
                    }
                    found.add(longer);
                } else {
                    queue.add(longer);
                }
            }
            if (truncated || visits > MAX_VISITS) {
                truncated = true;
                break;
            }
        }
        return new Found(found.stream().map(path -> path.stream().map(known::get).map(PathwayStep::of).toList())
                .toList(), truncated);
    }

    private Map<String, Opportunity> load(Collection<String> ids) {
        Map<String, Opportunity> loaded = new HashMap<>();
        if (!ids.isEmpty()) {
            mongo.find(Query.query(Criteria.where("_id").in(ids)), Opportunity.class)
                    .forEach(o -> loaded.put(o.id(), o));
        }
        return loaded;
    }
}
