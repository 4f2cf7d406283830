package org.pathways.referral.submission;

import org.pathways.referral.domain.Referral;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.index.IndexResolver;
import org.springframework.data.mongodb.core.index.MongoPersistentEntityIndexResolver;
import org.springframework.stereotype.Component;

/**
 * Creates the referral indexes before the first request: the two sparse unique keys the submission rules rely on,
 * and the inbox indexes a real MongoDB needs (the embedded store accepts but ignores non-unique ones).
 */
@Component
class ReferralIndexes implements InitializingBean {

    private final MongoTemplate mongo;

    ReferralIndexes(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public void afterPropertiesSet() {
        var referrals = mongo.indexOps(Referral.class);
        referrals.createIndex(new Index().on("openKey", Sort.Direction.ASC).unique().sparse().named("one_open"));
        referrals.createIndex(new Index().on("idempotencyKey", Sort.Direction.ASC).unique().sparse()
                .named("idempotency"));
        IndexResolver resolver = new MongoPersistentEntityIndexResolver(mongo.getConverter().getMappingContext());
        resolver.resolveIndexFor(Referral.class).forEach(referrals::createIndex);
        var consents = mongo.indexOps("consent-views");
        resolver.resolveIndexFor(org.pathways.referral.readmodel.ConsentView.class).forEach(consents::createIndex);
    }
}
