package org.pathways.notification.routing;

import java.util.regex.Pattern;

import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Right to erasure: the copies of events this service keeps (feed entries, webhook delivery bodies) carry learner
 * ids; when a learner is erased, their id is replaced by {@code "erased"} in every copy, so nothing here links back
 * to them. A delivery's body changes under its version (a concurrent attempt's late write is refused and retried);
 * what was already delivered stays with the agency, which is told by the same erasure event if it subscribed.
 */
@Component
class LearnerErasure {

    static final String ERASED = "erased";
    private static final Logger log = LoggerFactory.getLogger(LearnerErasure.class);

    private final MongoTemplate mongo;

    LearnerErasure(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    void pseudonymise(String learnerId) {
        int changed = rewrite("feed", "event", learnerId, false) + rewrite("deliveries", "body", learnerId, true);
        // A learner event's feed entry also keeps its subject (the learner id) beside the body.
        changed += (int) mongo.updateMulti(Query.query(Criteria.where("subject").is(learnerId)),
                new Update().set("subject", ERASED), "feed").getModifiedCount();
        log.info("Pseudonymised {} stored event copies of an erased learner", changed);
    }

    private int rewrite(String collection, String field, String learnerId, boolean versioned) {
        String quoted = "\"" + learnerId + "\"";
        Query mentions = Query.query(Criteria.where(field).regex(Pattern.quote(quoted)));
        int changed = 0;
        for (Document copy : mongo.find(mentions, Document.class, collection)) {
            Criteria same = Criteria.where("_id").is(copy.get("_id"));
            Update update = new Update().set(field, copy.getString(field).replace(quoted, "\"" + ERASED + "\""));
            if (versioned) {
                same = same.and("version").is(copy.get("version"));
                update.inc("version", 1);
            }
            if (mongo.updateFirst(Query.query(same), update, collection).getModifiedCount() == 0) {
                throw new IllegalStateException("A copy changed while it was pseudonymised; the event is retried");
            }
            changed++;
        }
        return changed;
    }
}
