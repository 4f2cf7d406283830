package org.pathways.learner.lead;

import java.util.List;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.pathways.learner.consent.ConsentWithdrawalFollowUp;
import org.pathways.learner.domain.Learner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Ends a lead as soon as its agency loses standing: at once when the learner withdraws the consent it stood on, and,
 * for a consent that simply lapsed (its {@code expiresAt} passed, which no request announces), on a periodic check
 * that runs on one instance at a time.
 */
@Component
class LeadStandingCheck implements ConsentWithdrawalFollowUp {

    private static final Logger LOG = LoggerFactory.getLogger(LeadStandingCheck.class);
    private static final int BATCH = 1000;

    private final Leads leads;
    private final MongoTemplate mongo;

    LeadStandingCheck(Leads leads, MongoTemplate mongo) {
        this.leads = leads;
        this.mongo = mongo;
    }

    @Override
    public void afterWithdrawal(Learner learner) {
        leads.current(learner);
    }

    /** Void: ShedLock's proxy skips the call while another instance holds the lock. */
    @Scheduled(fixedDelayString = "${pathways.learners.lead-standing-check:PT15M}",
            initialDelayString = "${pathways.learners.lead-standing-check:PT15M}")
    @SchedulerLock(name = "lead-standing-check", lockAtMostFor = "PT30M")
    public void recheckAll() {
        String after = "";
        while (true) {
            Query led = Query.query(Criteria.where("lead").ne(null).and("_id").gt(after))
                    .with(org.springframework.data.domain.Sort.by("_id")).limit(BATCH);
            led.fields().include("_id");
            List<String> learnerIds = mongo.find(led, org.bson.Document.class, "learner_leads").stream()
                    .map(document -> document.getString("_id")).toList();
            for (String learnerId : learnerIds) {
                try {
                    leads.recheck(learnerId);
                } catch (RuntimeException failed) {
                    LOG.debug("Lead of {} changed during the standing check; the next run looks again", learnerId);
                }
            }
            if (learnerIds.size() < BATCH) {
                return;
            }
            after = learnerIds.getLast();
        }
    }
}
