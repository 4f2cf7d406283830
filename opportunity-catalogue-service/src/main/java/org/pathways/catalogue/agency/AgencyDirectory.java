package org.pathways.catalogue.agency;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/**
 * The partnership's providers. An agency's administrator registers and maintains its own record (the id is the
 * caller's agency); anyone authenticated reads them. Agencies announce nothing, so they carry an empty outbox.
 */
@Service
public class AgencyDirectory {

    static final int PAGE_SIZE = 200;

    private final MongoTemplate mongo;
    private final Outbox outbox;
    private final Clock clock;

    AgencyDirectory(MongoTemplate mongo, Outbox outbox, Clock clock) {
        this.mongo = mongo;
        this.outbox = outbox;
        this.clock = clock;
    }

    Agency register(Caller caller, AgencyDetails details) {
        requireAdmin(caller);
        if (mongo.findById(caller.agencyId(), Agency.class) != null) {
            throw ProblemException.conflict("already-registered",
                    "This agency is already registered; change it with PUT.", Map.of());
        }
        try {
            return outbox.save(Agency.register(caller.agencyId(), details, clock.instant()));
        } catch (DuplicateKeyException raced) {
            throw ProblemException.conflict("already-registered", "This agency is already registered.", Map.of());
        }
    }

    Agency revise(Caller caller, String id, AgencyDetails details) {
        requireAdmin(caller);
        if (!caller.actsFor(id)) {
            throw ProblemException.forbidden("An agency's administrators manage only their own agency.");
        }
        Agency agency = get(id);
        if (details.version() == null) {
            throw new ProblemException(org.springframework.http.HttpStatus.BAD_REQUEST, "version-required",
                    "Send the version you read.");
        }
        if (!details.version().equals(agency.version())) {
            throw new OptimisticLockingFailureException("stale agency");
        }
        agency.revise(details, clock.instant());
        return outbox.save(agency);
    }

    public Agency get(String id) {
        return find(id).orElseThrow(() -> ProblemException.notFound("agency", id));
    }

    public Optional<Agency> find(String id) {
        return Optional.ofNullable(mongo.findById(id, Agency.class));
    }

    public Optional<Agency> findByHsdsId(String hsdsId) {
        return Optional.ofNullable(mongo.findOne(Query.query(Criteria.where("hsdsId").is(hsdsId)), Agency.class));
    }

    public List<Agency> all() {
        return mongo.find(new Query().with(Sort.by("_id")).limit(10_000), Agency.class);
    }

    List<Agency> list(String locality, AgencyKind kind) {
        Query query = new Query().with(Sort.by("name", "_id")).limit(PAGE_SIZE);
        if (locality != null) {
            query.addCriteria(Criteria.where("localities").is(locality));
        }
        if (kind != null) {
            query.addCriteria(Criteria.where("kind").is(kind));
        }
        return mongo.find(query, Agency.class);
    }

    /** Saves an agency known from an import (the importer decides whether anything changed). */
    public Agency save(Agency agency) {
        return outbox.save(agency);
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.has(Role.AGENCY_ADMIN) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's administrators manage its record.");
        }
    }
}
