package org.pathways.catalogue.agency;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The partnership's providers. An agency's administrator registers and maintains its own record (the id is the
 * caller's agency, as the identity provider vouches for it; never a field of the body), asking for a kind and
 * sector that only a platform administrator approves or changes; anyone authenticated reads them. Saved only
 * through the outbox, with the events they announce (on {@code pathways.agencies}), whether the change came through
 * the API or an Open Referral import (a platform administrator's).
 */
@Service
public class AgencyDirectory {

    static final int PAGE_SIZE = 200;
    /** The problem type of an agency's administrator trying to set or change its kind or sector. */
    static final String KIND_SET_BY_PLATFORM_ADMIN = "kind-set-by-platform-admin";
    private static final Logger log = LoggerFactory.getLogger(AgencyDirectory.class);

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
            Agency agency = Agency.request(caller.agencyId(), details, clock.instant());
            log.debug("Agency registered, pending a platform administrator's approval of its kind");
            return outbox.save(agency, List.of());
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
        requireVersionRead(agency, details.version());
        try {
            return outbox.save(agency, agency.revise(details, clock.instant()));
        } catch (KindChangeRefused refused) {
            throw new ProblemException(HttpStatus.FORBIDDEN, KIND_SET_BY_PLATFORM_ADMIN,
                    "An agency's kind and sector are set by a platform administrator; send the approved ones "
                            + "(or ask a platform administrator to change them).",
                    Map.of("kind", agency.kind().name(), "sector", agency.sector().name()));
        }
    }

    /** A platform administrator approves a pending agency's kind and sector, or changes an approved agency's. */
    Agency approve(Caller caller, String id, KindApproval approval) {
        if (!caller.has(Role.PLATFORM_ADMIN)) {
            throw new ProblemException(HttpStatus.FORBIDDEN, KIND_SET_BY_PLATFORM_ADMIN,
                    "Only a platform administrator sets an agency's kind and sector.");
        }
        Agency agency = get(id);
        requireVersionRead(agency, approval.version());
        Agency approved = outbox.save(agency, agency.approve(approval.kind(), approval.sector(), clock.instant()));
        log.info("A platform administrator set agency {} to kind {}, sector {}", id, approval.kind(),
                approval.sector());
        return approved;
    }

    private static void requireVersionRead(Agency agency, Long version) {
        if (version == null) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "version-required", "Send the version you read.");
        }
        if (!version.equals(agency.version())) {
            throw new OptimisticLockingFailureException("stale agency");
        }
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

    /**
     * One page of the approved agencies in id order, for an export (the store pages it; nothing is held beyond a
     * page). An agency still pending ({@link PendingAgencies}) is not the partnership's to publish.
     */
    public List<Agency> approvedPage(int page, int perPage) {
        return mongo.find(Query.query(PendingAgencies.approved()).with(Sort.by("_id"))
                .skip((long) (page - 1) * perPage).limit(perPage), Agency.class);
    }

    public long countApproved() {
        return mongo.count(Query.query(PendingAgencies.approved()), Agency.class);
    }

    /** The agencies of {@code ids} that exist, by id: one read, however many ids. */
    public Map<String, Agency> findAll(java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<String, Agency> found = new java.util.HashMap<>();
        mongo.find(Query.query(Criteria.where("_id").in(ids)), Agency.class).forEach(a -> found.put(a.id(), a));
        return found;
    }

    List<Agency> list(String locality, AgencyKind kind, AgencyView.Status status) {
        Query query = new Query().with(Sort.by("name", "_id")).limit(PAGE_SIZE);
        if (locality != null) {
            query.addCriteria(Criteria.where("localities").is(locality));
        }
        if (kind != null && status == AgencyView.Status.PENDING) {
            return List.of();   // a pending agency has no approved kind
        }
        if (kind != null) {
            query.addCriteria(Criteria.where("kind").is(kind));
        } else if (status != null) {
            query.addCriteria(status == AgencyView.Status.PENDING ? PendingAgencies.pending()
                    : PendingAgencies.approved());
        }
        return mongo.find(query, Agency.class);
    }

    /**
     * Announces, once, the agencies registered before agencies were announced, so that other services learn every
     * agency's kind. Runs at start-up ({@link #onReady()}); with several replicas the version guard lets one announce
     * each agency. Bounded: each pass must announce something to go on, and an agency is announced once.
     */
    public int announceEarlierAgencies() {
        int announced = 0;
        int before;
        List<Agency> batch;
        do {
            before = announced;
            // Pending agencies (no approved kind) are announced by their approval, not here.
            batch = mongo.find(Query.query(Criteria.where("announced").ne(true).and("kind").ne(null))
                    .limit(PAGE_SIZE), Agency.class);
            for (Agency agency : batch) {
                announced += announce(agency) ? 1 : 0;
            }
        } while (batch.size() == PAGE_SIZE && announced > before);
        if (announced > 0) {
            log.info("Announced {} agencies registered before agencies were announced", announced);
        }
        return announced;
    }

    /** A void listener: a listener's non-null return value would itself be published as an application event. */
    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        announceEarlierAgencies();
    }

    private boolean announce(Agency read) {
        Agency agency = read;
        for (int attempt = 1; agency != null && attempt <= 5; attempt++) {
            Optional<AgencyRegistered> registered = agency.announceIfUnannounced();
            if (registered.isEmpty()) {
                return false;
            }
            try {
                outbox.save(agency, registered.get());
                return true;
            } catch (OptimisticLockingFailureException changedMeanwhile) {
                agency = mongo.findById(agency.id(), Agency.class);
            }
        }
        return false;
    }

    /** Registers an agency first known from an Open Referral organization, announcing it. */
    public Agency importNew(String hsdsId, AgencyDetails details) {
        Agency agency = Agency.imported(hsdsId, details, clock.instant());
        return outbox.save(agency, agency.registered());
    }

    /** Applies an import's details to a known agency (the importer decided something changed). */
    public Agency importRevision(Agency agency, AgencyDetails details) {
        return outbox.save(agency, agency.reviseFromImport(details, clock.instant()));
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.has(Role.AGENCY_ADMIN) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's administrators manage its record.");
        }
    }
}
