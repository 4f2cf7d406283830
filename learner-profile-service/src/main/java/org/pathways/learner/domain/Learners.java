package org.pathways.learner.domain;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.pathways.learner.relationship.ReferralRelationship;
import org.pathways.learner.relationship.ReferralRelationships;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Finds learners for the agencies allowed to see them: every feature reads a learner through here, so that who may
 * see what is decided in one place ({@link Learner#sharingWith}).
 */
@Service
public class Learners {

    private final LearnerRepository learners;
    private final AgencyKinds agencies;
    private final ReferralRelationships relationships;
    private final Clock clock;

    Learners(LearnerRepository learners, AgencyKinds agencies, ReferralRelationships relationships, Clock clock) {
        this.learners = learners;
        this.agencies = agencies;
        this.relationships = relationships;
        this.clock = clock;
    }

    /**
     * The learner, if the caller's agency may see it now. Anyone else gets the same answer as for an id that does
     * not exist, so that a profile's existence does not leak; the registering agency learns that it was erased.
     */
    public Learner visibleTo(Caller caller, String learnerId) {
        return access(caller, learnerId).learner();
    }

    /**
     * {@link #visibleTo}, with what the caller's agency may see and why. Personal data is for the people who work
     * with the learner: an agency's workers and its own systems. Its coordinators, administrators and platform
     * administrators get the same answer as outsiders (they see aggregates and metadata elsewhere).
     */
    public Access access(Caller caller, String learnerId) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.notFound("learner", learnerId);
        }
        Learner learner = learners.findById(learnerId)
                .orElseThrow(() -> ProblemException.notFound("learner", learnerId));
        if (learner.isErased() && learner.isRegisteredBy(caller.agencyId())) {
            throw new ProblemException(HttpStatus.GONE, "learner-erased",
                    "This learner's personal data was erased at their request.");
        }
        Viewer viewer = viewer(caller.agencyId(), learner);
        Sharing sharing = learner.sharingWith(viewer, clock.instant());
        if (!sharing.any()) {
            throw ProblemException.notFound("learner", learnerId);
        }
        return new Access(learner, viewer, sharing);
    }

    /**
     * {@code agencyId} as it stands towards {@code learner}: its kind (for consents to a kind) and the open
     * referrals of the learner (or of records merged into it) it receives.
     */
    public Viewer viewer(String agencyId, Learner learner) {
        if (learner.isRegisteredBy(agencyId)) {
            return Viewer.registering(agencyId);
        }
        List<String> learnerIds = new ArrayList<>();
        learnerIds.add(learner.id());
        learner.mergedFrom().forEach(merged -> learnerIds.add(merged.learnerId()));
        List<String> live = relationships.openReceivedBy(agencyId, learnerIds).stream()
                .map(ReferralRelationship::referralId).sorted().toList();
        return new Viewer(agencyId, agencies.kindOf(agencyId).orElse(null), live);
    }

    /** The learner, erased or not, if the caller's agency registered it; to anyone else it does not exist. */
    public Learner registeredBy(Caller caller, String learnerId) {
        return learners.findById(learnerId)
                .filter(learner -> learner.isRegisteredBy(caller.agencyId()))
                .orElseThrow(() -> ProblemException.notFound("learner", learnerId));
    }

    /**
     * For event handlers: the learner, if it exists and was not erased; a record merged into another stands for the
     * surviving record.
     */
    public Optional<Learner> find(String learnerId) {
        Optional<Learner> found = learners.findById(learnerId);
        for (int hops = 0; hops < 5 && found.isPresent() && found.get().mergedInto() != null; hops++) {
            found = learners.findById(found.get().mergedInto());
        }
        return found.filter(learner -> !learner.isErased() && learner.mergedInto() == null);
    }

    /**
     * {@link #find} for many learners at once, for a batch of events: by requested id, the learner each stands for
     * (absent: unknown, erased or merged into no live record). One read by {@code _id} with {@code $in}, and one more
     * per hop of a merge among them (none unless records were merged).
     */
    public java.util.Map<String, Optional<Learner>> findAll(java.util.Collection<String> learnerIds) {
        java.util.Map<String, Learner> stored = new java.util.HashMap<>();
        java.util.Set<String> wanted = new java.util.HashSet<>(learnerIds);
        for (int hops = 0; hops <= 5 && !wanted.isEmpty(); hops++) {
            learners.findAllById(wanted).forEach(learner -> stored.put(learner.id(), learner));
            wanted = new java.util.HashSet<>();
            for (Learner learner : stored.values()) {
                if (learner.mergedInto() != null && !stored.containsKey(learner.mergedInto())) {
                    wanted.add(learner.mergedInto());
                }
            }
        }
        java.util.Map<String, Optional<Learner>> found = new java.util.HashMap<>();
        for (String learnerId : learnerIds) {
            Learner learner = stored.get(learnerId);
            for (int hops = 0; hops < 5 && learner != null && learner.mergedInto() != null; hops++) {
                learner = stored.get(learner.mergedInto());
            }
            found.put(learnerId, Optional.ofNullable(learner)
                    .filter(live -> !live.isErased() && live.mergedInto() == null));
        }
        return found;
    }

    /** The record {@code learnerId} as stored, erased, merged away or not. */
    public Optional<Learner> stored(String learnerId) {
        return learners.findById(learnerId);
    }

    /** Whether the caller's agency may see {@code learnerId} now. */
    public boolean seenBy(Caller caller, String learnerId) {
        return learners.findById(learnerId).filter(learner -> learner.sharingWith(viewer(caller.agencyId(), learner),
                clock.instant()).any()).isPresent();
    }

    /** Whether the caller's agency sees {@code learnerId} now only to read it (through referrals it receives). */
    public boolean readOnlyFor(Caller caller, String learnerId) {
        return learners.findById(learnerId).map(learner -> learner.sharingWith(viewer(caller.agencyId(), learner),
                clock.instant()).readOnly()).orElse(true);
    }
}
