package org.pathways.catalogue.opportunity;

import java.time.Clock;
import java.util.List;

import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/**
 * Drafts, publishes and withdraws opportunities for their provider, and searches what is published. A provider
 * manages only its own: another agency is told a draft does not exist, and is forbidden to act on a published one.
 */
@Service
class OpportunityCatalogue {

    static final int PAGE_SIZE = 100;

    private final OpportunityRepository opportunities;
    private final MongoTemplate mongo;
    private final Outbox outbox;
    private final Clock clock;

    OpportunityCatalogue(OpportunityRepository opportunities, MongoTemplate mongo, Outbox outbox, Clock clock) {
        this.opportunities = opportunities;
        this.mongo = mongo;
        this.outbox = outbox;
        this.clock = clock;
    }

    /** A draft announces nothing: other services learn of an opportunity when it is published. */
    Opportunity draft(Caller caller, DraftOpportunity details) {
        requireManager(caller);
        return outbox.save(Opportunity.draft(details, caller.agencyId(), caller.userId(), clock.instant()));
    }

    Opportunity publish(Caller caller, String id) {
        Opportunity opportunity = managedBy(caller, id);
        return outbox.save(opportunity, opportunity.publish(clock.instant()));
    }

    Opportunity withdraw(Caller caller, String id) {
        Opportunity opportunity = managedBy(caller, id);
        return outbox.save(opportunity, opportunity.withdraw(clock.instant()));
    }

    Opportunity visibleTo(Caller caller, String id) {
        return opportunities.findById(id)
                .filter(opportunity -> opportunity.isVisibleTo(caller.agencyId()))
                .orElseThrow(() -> ProblemException.notFound("opportunity", id));
    }

    /** Published opportunities, newest first, optionally of one kind and level. */
    CatalogueResults search(OpportunityKind kind, String level) {
        Criteria criteria = Criteria.where("status").is(OpportunityStatus.PUBLISHED);
        if (kind != null) {
            criteria = criteria.and("kind").is(kind);
        }
        if (level != null) {
            criteria = criteria.and("level").is(level);
        }
        Query query = Query.query(criteria)
                .with(Sort.by(Sort.Order.desc("publishedAt"), Sort.Order.asc("_id")))
                .limit(PAGE_SIZE + 1);
        List<Opportunity> found = mongo.find(query, Opportunity.class);
        return new CatalogueResults(found.stream().limit(PAGE_SIZE).map(OpportunityView::of).toList(),
                found.size() > PAGE_SIZE);
    }

    private Opportunity managedBy(Caller caller, String id) {
        requireManager(caller);
        Opportunity opportunity = visibleTo(caller, id);
        if (!opportunity.isProvidedBy(caller.agencyId())) {
            throw ProblemException.forbidden("Only the provider manages this opportunity.");
        }
        return opportunity;
    }

    private static void requireManager(Caller caller) {
        if (!caller.has(Role.AGENCY_ADMIN) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's administrators or systems manage its opportunities.");
        }
    }
}
