package org.pathways.learner.agency;

import java.time.Instant;
import java.util.Optional;

import org.pathways.events.agency.AgencyKind;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Service;

/**
 * The kind of each agency of the partnership, as the opportunity-catalogue last announced it. Resolves a consent
 * given to every agency of one kind; an agency not (yet) announced has no known kind, and no kind consent covers it.
 */
@Service
public class AgencyDirectory {

    private final MongoTemplate mongo;

    AgencyDirectory(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** The agency's kind, if the catalogue has announced it. */
    public Optional<AgencyKind> kindOf(String agencyId) {
        if (agencyId == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(mongo.findById(agencyId, KnownAgency.class)).map(KnownAgency::kind);
    }

    /**
     * Records the agency's kind as of {@code asOf}, unless what is known is newer (events may arrive out of order,
     * or again). Events of one agency arrive on one partition, handled by one consumer at a time.
     */
    void learn(String agencyId, AgencyKind kind, Instant asOf) {
        KnownAgency known = mongo.findById(agencyId, KnownAgency.class);
        if (known != null && known.asOf() != null && asOf != null && known.asOf().isAfter(asOf)) {
            return;
        }
        mongo.save(new KnownAgency(agencyId, kind, asOf));
    }
}
