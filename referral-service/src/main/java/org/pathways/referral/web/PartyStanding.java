package org.pathways.referral.web;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.readmodel.ReadModelProjections;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Whether an agency party to a referral may see the person's data in it now: the need, the shared summary, the
 * words of the reasons and the handoff notes. Being party to a referral is not grounds of its own: the agency must
 * have registered the learner or hold their consent to share for referral in force (its own, or its kind's), as it
 * must to refer them. Once that consent is withdrawn or lapses, the referral (open, held or closed) still shows the
 * agency its course (ids, statuses, dates, reason codes) and what it may do, and none of the person's data.
 */
@Component
public class PartyStanding {

    private final ReadModelProjections readModels;
    private final Clock clock;
    private final org.springframework.data.mongodb.core.MongoTemplate mongo;

    PartyStanding(ReadModelProjections readModels, Clock clock,
                  org.springframework.data.mongodb.core.MongoTemplate mongo) {
        this.readModels = readModels;
        this.clock = clock;
        this.mongo = mongo;
    }

    /** Whether {@code agencyId} has standing for the learner of {@code referral} now (erased: nothing left to see). */
    public boolean has(Referral referral, String agencyId) {
        return referral.erased() || referral.learnerId() == null
                || readModels.mayRefer(referral.learnerId(), agencyId, clock.instant());
    }

    /** {@link #has}, asked for many referrals at once (a search page): each learner's standing read once. */
    public java.util.function.Predicate<Referral> forMany(String agencyId) {
        Map<String, Boolean> known = new HashMap<>();
        return referral -> referral.erased() || referral.learnerId() == null
                || known.computeIfAbsent(referral.learnerId(),
                        learnerId -> readModels.mayRefer(learnerId, agencyId, clock.instant()));
    }

    /**
     * The view of a caller of one of the two agencies: whole with standing, without the person's data without; the
     * next referral's id only to a party to it (where the person went next with other agencies is theirs, as the
     * chain keeps it).
     */
    public ReferralView view(Referral referral, Caller caller, List<String> warnings) {
        if (!has(referral, caller.agencyId())) {
            return ReferralView.forPartyWithoutStanding(referral, caller);
        }
        ReferralView view = ReferralView.forParty(referral, caller, warnings);
        if (referral.nextReferralId() != null) {
            Referral next = mongo.findById(referral.nextReferralId(), Referral.class);
            if (next == null || !next.isPartyTo(caller.agencyId())) {
                return view.withoutNext();
            }
        }
        return view;
    }

    /** For the notes: refused, plainly, to a party without standing. */
    public void require(Referral referral, String agencyId) {
        if (!has(referral, agencyId)) {
            throw refused();
        }
    }

    /** The answer to a party agency asking for the person's data without standing for them now. */
    public static ProblemException refused() {
        return new ProblemException(HttpStatus.FORBIDDEN, "consent-required",
                "The learner's consent for your agency to see their details is not in force now (withdrawn or "
                        + "lapsed): the referral's course is shown without them.");
    }
}
