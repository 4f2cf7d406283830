package org.pathways.notification.routing;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.notification.delivery.WebhookFanOut;
import org.pathways.notification.email.EmailNotifications;
import org.pathways.notification.feed.AgencyFeed;
import org.pathways.notification.inapp.WorkerInbox;
import org.pathways.notification.notice.Notice;
import org.pathways.notification.notice.NoticeKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * The team around a learner hears of what concerns it (issue 19). A lead or plan event goes, in the feed and on the
 * webhooks subscribed to its type, to the agencies it concerns and to no other: the lead's agencies (the lead's, and
 * for a handover both sides), the step's owner agency, the learner's lead agency for a plan step, and the agency that
 * made the change. People are told (in the app, and by e-mail in the worker's language, as for referrals) when the
 * lead changes at their agency, when another agency gives their agency a step, when a step their agency owns is
 * overdue, and when a referral that a plan step follows changes state (the owner of an open step and the lead's
 * agency, not the agency that made the change). A referral event itself still goes only to the referral's two
 * agencies.
 *
 * <p>Types are matched by name, so this does not depend on which event-contracts version knows them.
 */
@Component
class TeamRouting {

    static final String LEAD_ASSIGNED = "org.pathways.learner.lead-assigned.v1";
    static final String LEAD_HANDED_OVER = "org.pathways.learner.lead-handed-over.v1";
    static final String LEAD_ENDED = "org.pathways.learner.lead-ended.v1";
    static final String STEP_ADDED = "org.pathways.learner.plan-step-added.v1";
    static final String STEP_CHANGED = "org.pathways.learner.plan-step-changed.v1";
    static final String STEP_OVERDUE = "org.pathways.learner.plan-step-overdue.v1";
    static final Set<String> TYPES = Set.of(LEAD_ASSIGNED, LEAD_HANDED_OVER, LEAD_ENDED, STEP_ADDED, STEP_CHANGED,
            STEP_OVERDUE);
    private static final Logger log = LoggerFactory.getLogger(TeamRouting.class);

    private final MongoTemplate mongo;
    private final AgencyFeed feed;
    private final WebhookFanOut fanOut;
    private final WorkerInbox workerInbox;
    private final EmailNotifications emails;

    TeamRouting(MongoTemplate mongo, AgencyFeed feed, WebhookFanOut fanOut, WorkerInbox workerInbox,
                EmailNotifications emails) {
        this.mongo = mongo;
        this.feed = feed;
        this.fanOut = fanOut;
        this.workerInbox = workerInbox;
        this.emails = emails;
    }

    /** A lead or plan event of the learners topic (one of {@link #TYPES}). */
    void route(ReceivedEvent event, String body) {
        JsonNode data = event.data(JsonNode.class);
        String learnerId = id(data, "learnerId");
        if (learnerId == null) {
            log.info("Team event {} of type {} names no learner: not routed", event.id(), event.type());
            return;
        }
        Set<String> concerned = new LinkedHashSet<>();
        Set<String> told = new LinkedHashSet<>();
        NoticeKind kind = null;
        switch (event.type()) {
            case LEAD_ASSIGNED -> {
                String agency = id(data, "agencyId");
                concerned.add(agency);
                concerned.add(id(data, "assignedByAgencyId"));
                told.add(agency);
                kind = NoticeKind.LEAD_CHANGED;
                if (agency != null) {
                    mongo.save(new TeamReadModel.Lead(learnerId, agency, id(data, "workerId")));
                }
            }
            case LEAD_HANDED_OVER -> {
                String to = id(data, "toAgencyId");
                concerned.add(id(data, "fromAgencyId"));
                concerned.add(to);
                told.addAll(concerned);
                kind = NoticeKind.LEAD_CHANGED;
                if (to != null) {
                    mongo.save(new TeamReadModel.Lead(learnerId, to, id(data, "toWorkerId")));
                }
            }
            case LEAD_ENDED -> {
                String agency = id(data, "agencyId");
                concerned.add(agency);
                told.add(agency);
                kind = NoticeKind.LEAD_CHANGED;
                // Only the lead it ends: a later assignment already seen is not undone.
                mongo.remove(Query.query(Criteria.where("_id").is(learnerId).and("agencyId").is(agency)
                        .and("workerId").is(id(data, "workerId"))), TeamReadModel.Lead.class);
            }
            case STEP_ADDED, STEP_CHANGED -> {
                String stepId = id(data, "stepId");
                String owner = id(data, "ownerAgencyId");
                String actor = id(data, STEP_ADDED.equals(event.type()) ? "addedByAgencyId" : "changedByAgencyId");
                concerned.add(owner);
                concerned.add(actor);
                concerned.add(leadAgency(learnerId));
                if (stepId != null) {
                    TeamReadModel.Step before = mongo.findById(stepId, TeamReadModel.Step.class);
                    remember(learnerId, stepId, owner, id(data, "referralId"), id(data, "status"), before);
                    boolean newOwner = before == null || !Objects.equals(before.ownerAgencyId(), owner);
                    if (newOwner && owner != null && !owner.equals(actor)) {
                        told.add(owner);
                        kind = NoticeKind.PLAN_STEP_ASSIGNED;
                    }
                }
            }
            case STEP_OVERDUE -> {
                String owner = id(data, "ownerAgencyId");
                concerned.add(owner);
                concerned.add(leadAgency(learnerId));
                told.add(owner);
                kind = NoticeKind.PLAN_STEP_OVERDUE;
            }
            default -> throw new IllegalArgumentException("Not a team event: " + event.type());
        }
        concerned.remove(null);
        told.remove(null);
        concerned.forEach(agency -> feed.append(agency, event, body));
        fanOut.fanOut(event, concerned, body);
        for (String agency : told) {
            tell(new Notice(kind, agency, event.id(), null, event.time(), learnerId));
        }
    }

    /**
     * A referral event that changes the referral's state ({@code status} in its data): the owners of the open plan
     * steps that follow it and the learner's lead agency are told, except the agency that made the change. The owner
     * of a closed step ({@code DONE}, {@code DROPPED}) is not: such a step stays with it when it leaves the learner's
     * team (only open steps are handed back to the registering agency), so an agency that closed its step and then
     * lost the learner's consent would otherwise hear of every later change of the referral for ever; the status is
     * the read model's, read with the step, so this costs no round trip. Only steps of
     * the referral's own learner count ({@code referralLearner} as the event names it, or the learner that record
     * was merged into, {@code currentLearner}'s answer; a step's learner compared after its own merges too): a step added
     * before the learner-profile-service checked that could follow another person's referral, and its owner and that
     * plan's lead would otherwise hear of that person's referral. Each step is judged on its own learner, since
     * steps of several plans may follow one referral.
     */
    void referralChanged(ReceivedEvent event, String referralId, JsonNode data, String referralLearner,
                         java.util.function.UnaryOperator<String> currentLearner) {
        if (!changesState(referralId, data)) {
            return;
        }
        TeamReadModel.StepsOfReferral steps = stepsOf(referralId);
        if (steps == null || steps.stepIds() == null || steps.stepIds().isEmpty()) {
            return;
        }
        String referralLearnerNow = referralLearner == null ? null : currentLearner.apply(referralLearner);
        Set<String> told = new LinkedHashSet<>();
        Set<String> learners = new LinkedHashSet<>();
        int others = 0;
        int closed = 0;
        for (TeamReadModel.Step step : mongo.find(Query.query(Criteria.where("_id").in(steps.stepIds())),
                TeamReadModel.Step.class)) {
            String learner = step.learnerId();
            boolean ownLearner = learner != null && (learner.equals(referralLearner)
                    || learner.equals(referralLearnerNow)
                    || (referralLearnerNow != null && referralLearnerNow.equals(currentLearner.apply(learner))));
            if (!ownLearner) {
                others++;
                continue;
            }
            learners.add(learner);
            if (step.isOpen()) {
                told.add(step.ownerAgencyId());
            } else {
                closed++;
            }
        }
        if (learners.isEmpty()) {
            log.debug("Referral event {}: the plan steps that follow its referral are another learner's; not told",
                    event.id());
            return;
        }
        Set<String> leadsOf = new LinkedHashSet<>(learners);
        learners.forEach(learner -> leadsOf.add(currentLearner.apply(learner)));
        leadsOf.remove(null);
        leadsOf.forEach(learner -> told.add(leadAgency(learner)));
        told.remove(id(data, "actingAgencyId"));
        told.remove(null);
        // The plan's learner, as the notice links to their team.
        String learnerId = learners.iterator().next();
        for (String agency : told) {
            tell(new Notice(NoticeKind.PLAN_REFERRAL_CHANGED, agency, event.id(), referralId, event.time(),
                    learnerId));
        }
        log.debug("Referral event {} told {} agencies of the plan it is in ({} steps of another learner and the "
                + "owners of {} closed steps left out)", event.id(), told.size(), others, closed);
    }

    /** Whether a referral event changes its referral's state (so the plan steps that follow it may need telling). */
    static boolean changesState(String referralId, JsonNode data) {
        return referralId != null && data != null && data.get("status") != null;
    }

    /**
     * The plan referrals a batch of referral events has read, by referral id (null: no step follows it), and those
     * of its referrals not read yet; none outside a batch.
     */
    private static final class PlanReferrals {
        final Set<String> toRead = new LinkedHashSet<>();
        final java.util.Map<String, TeamReadModel.StepsOfReferral> read = new java.util.HashMap<>();
    }

    private final ThreadLocal<PlanReferrals> batch = new ThreadLocal<>();

    /**
     * From now until {@link #endReferralBatch}, this thread's referral events find the plan steps that follow their
     * referrals in one read by {@code _id} ({@code $in}) for the whole batch, made when the first of them needs it
     * (after that event's webhooks), instead of one read per event. A step added to a plan (on the learners topic,
     * another thread) while the batch is routed counts from the next batch, as it would have for an event routed a
     * moment earlier: the two topics are not ordered with each other.
     */
    void beginReferralBatch(Collection<String> referralIds) {
        PlanReferrals planned = new PlanReferrals();
        planned.toRead.addAll(referralIds);
        batch.set(planned);
    }

    /** Forgets what this thread's batch read. */
    void endReferralBatch() {
        batch.remove();
    }

    private TeamReadModel.StepsOfReferral stepsOf(String referralId) {
        PlanReferrals planned = batch.get();
        if (planned == null) {
            return mongo.findById(referralId, TeamReadModel.StepsOfReferral.class);
        }
        if (!planned.read.containsKey(referralId)) {
            planned.toRead.add(referralId);
            List<String> ids = List.copyOf(planned.toRead);
            planned.toRead.clear();
            ids.forEach(id -> planned.read.put(id, null));
            mongo.find(Query.query(Criteria.where("_id").in(ids)), TeamReadModel.StepsOfReferral.class)
                    .forEach(steps -> planned.read.put(steps.referralId(), steps));
        }
        return planned.read.get(referralId);
    }

    /** Forgets what was kept of erased learners' teams, and their ids in the in-app notifications. */
    void erase(Collection<String> learnerIds, String pseudonym) {
        mongo.remove(Query.query(Criteria.where("_id").in(learnerIds)), TeamReadModel.Lead.class);
        mongo.remove(Query.query(Criteria.where("learnerId").in(learnerIds)), TeamReadModel.Step.class);
        mongo.remove(Query.query(Criteria.where("learnerId").in(learnerIds)), TeamReadModel.StepsOfReferral.class);
        workerInbox.pseudonymise(learnerIds, pseudonym);
    }

    private void tell(Notice notice) {
        workerInbox.add(notice);
        emails.queue(notice);
    }

    private void remember(String learnerId, String stepId, String owner, String referralId, String status,
                          TeamReadModel.Step before) {
        String referral = referralId != null ? referralId : before == null ? null : before.referralId();
        mongo.save(new TeamReadModel.Step(stepId, learnerId,
                owner != null ? owner : before == null ? null : before.ownerAgencyId(), referral, status));
        if (referral != null) {
            mongo.upsert(Query.query(Criteria.where("_id").is(referral)), new Update().set("learnerId", learnerId)
                    .addToSet("stepIds", stepId), TeamReadModel.StepsOfReferral.class);
        }
    }

    private String leadAgency(String learnerId) {
        TeamReadModel.Lead lead = mongo.findById(learnerId, TeamReadModel.Lead.class);
        return lead == null ? null : lead.agencyId();
    }

    private static String id(JsonNode data, String name) {
        return ReferralEventRouting.idField(data, name, null);
    }
}
