package org.pathways.referral.inbox;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.platform.validation.ResourceId;
import org.pathways.referral.domain.Referral;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An agency's incoming and outgoing referrals (a worker's own with {@code mine=true}, one learner's with
 * {@code learnerId}), newest first, with keyset paging. Every filter narrows the agency's own referrals: a learner's
 * referrals between two other agencies are never listed. Each filter combination is served by one of the indexes declared on {@link Referral}.
 */
@RestController
@RequestMapping("/api/referrals")
class InboxController {

    private final MongoTemplate mongo;
    private final Clock clock;

    InboxController(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    @GetMapping
    InboxPage inbox(Caller caller,
                    @RequestParam @Pattern(regexp = "(?i)incoming|outgoing") String direction,
                    @RequestParam(required = false) ReferralStatus status,
                    @RequestParam(required = false) Boolean overdue,
                    @RequestParam(required = false) @ResourceId String opportunityId,
                    @RequestParam(required = false) @ResourceId String learnerId,
                    @RequestParam(required = false) Instant submittedFrom,
                    @RequestParam(required = false) Instant submittedTo,
                    @RequestParam(defaultValue = "false") boolean mine,
                    @RequestParam(required = false) @Size(max = 200) String cursor,
                    @RequestParam(defaultValue = "20") @Min(1) @Max(100) int limit) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM) && !caller.has(Role.AGENCY_ADMIN)) {
            throw ProblemException.forbidden("Inboxes are an agency's own; coordinators use the progression views.");
        }
        Instant now = clock.instant();
        boolean incoming = direction.equalsIgnoreCase("incoming");
        List<Criteria> filters = new ArrayList<>();
        filters.add(Criteria.where(incoming ? "receivingAgencyId" : "referringAgencyId").is(caller.agencyId()));
        if (mine) {
            filters.add(Criteria.where(incoming ? "receivingWorkerId" : "referringWorkerId").is(caller.userId()));
        }
        if (status != null) {
            filters.add(Criteria.where("status").is(status));
        }
        if (opportunityId != null) {
            filters.add(Criteria.where("opportunityId").is(opportunityId));
        }
        if (learnerId != null) {
            filters.add(Criteria.where("learnerId").is(learnerId));
        }
        if (submittedFrom != null) {
            filters.add(Criteria.where("submittedAt").gte(submittedFrom));
        }
        if (submittedTo != null) {
            filters.add(Criteria.where("submittedAt").lt(submittedTo));
        }
        if (overdue != null) {
            Criteria overdueNow = new Criteria().orOperator(
                    Criteria.where("status").is(ReferralStatus.SUBMITTED).and("acknowledgeBy").lt(now),
                    Criteria.where("status").in(ReferralStatus.SUBMITTED, ReferralStatus.RECEIVED)
                            .and("decideBy").lt(now));
            filters.add(overdue ? overdueNow : new Criteria().norOperator(overdueNow));
        }
        if (cursor != null) {
            InboxCursor after = InboxCursor.decode(cursor);
            filters.add(new Criteria().orOperator(
                    Criteria.where("submittedAt").lt(after.submittedAt()),
                    Criteria.where("submittedAt").is(after.submittedAt()).and("_id").lt(after.id())));
        }
        Query query = Query.query(new Criteria().andOperator(filters))
                .with(Sort.by(Sort.Order.desc("submittedAt"), Sort.Order.desc("_id")))
                .limit(limit + 1);
        query.fields().exclude("outbox", "history", "notes", "need");
        List<Referral> found = mongo.find(query, Referral.class);
        List<InboxItem> items = found.stream().limit(limit).map(referral -> InboxItem.of(referral, now)).toList();
        String next = found.size() > limit
                ? new InboxCursor(found.get(limit - 1).submittedAt(), found.get(limit - 1).id()).encode() : null;
        return new InboxPage(items, next);
    }
}
