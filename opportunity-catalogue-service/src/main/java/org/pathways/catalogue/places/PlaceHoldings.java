package org.pathways.catalogue.places;

import java.time.Instant;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/** The place holdings: read by {@code _id}, written by insert or by compare-and-set on {@code _id} and step. */
@Component
class PlaceHoldings {

    private final MongoTemplate mongo;

    PlaceHoldings(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    Optional<PlaceHolding> find(String id) {
        return Optional.ofNullable(mongo.findById(id, PlaceHolding.class));
    }

    /** Records {@code holding} if its referral has none on that opportunity yet; false when it has. */
    boolean insert(PlaceHolding holding) {
        try {
            mongo.insert(holding);
            return true;
        } catch (DuplicateKeyException exists) {
            return false;
        }
    }

    /** Moves {@code holding} from the step it was read at to {@code to}; false when it had moved on already. */
    boolean move(PlaceHolding holding, PlaceHolding.Step to, Instant at) {
        Query seen = Query.query(Criteria.where("_id").is(holding.id()).and("step").is(holding.step()));
        return mongo.updateFirst(seen, new Update().set("step", to).set("at", at), PlaceHolding.class)
                .getMatchedCount() == 1;
    }
}
