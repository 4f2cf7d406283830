package org.pathways.progression.access;

import java.util.Collection;

import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.data.mongodb.core.query.Criteria;

/**
 * Whose figures a caller may see: coordinators (and platform admins) the whole partnership, agency workers only
 * figures for flows their agency is party to. Every projection document lists the agencies party to it.
 *
 * @param agencyId null for the whole partnership, else the one agency the caller acts for
 */
public record Audience(String agencyId) {

    /** The field every projection document keeps its parties' agency ids in. */
    public static final String AGENCIES = "agencies";

    public static Audience of(Caller caller) {
        if (caller.has(Role.COORDINATOR) || caller.has(Role.PLATFORM_ADMIN)) {
            return new Audience(null);
        }
        if ((caller.has(Role.WORKER) || caller.has(Role.AGENCY_ADMIN)) && caller.agencyId() != null) {
            return new Audience(caller.agencyId());
        }
        throw ProblemException.forbidden("Only coordinators and agency workers see progression.");
    }

    /**
     * The whole partnership, for figures that cut across agencies (journeys, learning moves, missing provision,
     * delivery health): coordinators and platform admins only; anyone else gets 403.
     */
    public static Audience partnership(Caller caller) {
        if (caller.has(Role.COORDINATOR) || caller.has(Role.PLATFORM_ADMIN)) {
            return new Audience(null);
        }
        throw ProblemException.forbidden("Only coordinators see partnership-wide figures.");
    }

    public boolean wholePartnership() {
        return agencyId == null;
    }

    /** Narrows a query to the documents this audience is party to. */
    public Criteria restrict(Criteria criteria) {
        return wholePartnership() ? criteria : criteria.and(AGENCIES).is(agencyId);
    }

    public boolean sees(Collection<String> agencies) {
        return wholePartnership() || agencies.contains(agencyId);
    }
}
