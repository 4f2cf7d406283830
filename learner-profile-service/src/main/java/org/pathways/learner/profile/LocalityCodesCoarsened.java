package org.pathways.learner.profile;

import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bson.Document;
import org.pathways.platform.store.Migrations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Once per store, before the service serves: a learner whose locality an earlier version kept as a full postcode
 * without its space ("LS62AB", "LS6-2AB", which it accepted) keeps its district only ("LS6"). Every change to such a
 * learner publishes its locality, and the events' schema refuses a full postcode: without this, each change to them
 * failed. Written in place (the value is coarsened, not changed by a person: no event, no new version); a record changed
 * meanwhile keeps its new value (the write matches the old one). Counts already made elsewhere from the old value
 * (the progression-service's) are not revisited.
 */
@Component
class LocalityCodesCoarsened implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(LocalityCodesCoarsened.class);
    static final String MIGRATION = "locality-full-postcodes-coarsened";
    private static final String MIGRATIONS = "learner-migrations";
    /** A full postcode without its space, or with a hyphen: the district, then a digit and two letters. */
    static final Pattern FULL_POSTCODE = Pattern.compile("^([A-Z]{1,2}[0-9][A-Z0-9]?)-?[0-9][A-Z]{2}$");

    private final MongoTemplate mongo;
    private final Clock clock;

    LocalityCodesCoarsened(MongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    @Override
    public void afterSingletonsInstantiated() {
        new Migrations(mongo, MIGRATIONS, clock).once(MIGRATION, () -> {
            int coarsened = coarsen();
            if (coarsened > 0) {
                log.info("Kept the district only of {} learners' localities held as full postcodes", coarsened);
            }
        });
    }

    /** Repeatable: a locality coarsened already no longer matches. */
    int coarsen() {
        Query full = Query.query(Criteria.where("localityCode").regex(FULL_POSTCODE.pattern()));
        full.fields().include("localityCode");
        int coarsened = 0;
        for (Document learner : mongo.find(full, Document.class, "learners")) {
            String held = learner.getString("localityCode");
            Matcher postcode = FULL_POSTCODE.matcher(held == null ? "" : held);
            if (!postcode.matches()) {
                continue;
            }
            coarsened += (int) mongo.updateFirst(Query.query(Criteria.where("_id").is(learner.get("_id"))
                            .and("localityCode").is(held)), new Update().set("localityCode", postcode.group(1)),
                    "learners").getModifiedCount();
        }
        return coarsened;
    }
}
