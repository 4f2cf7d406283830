package org.pathways.progression.config;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.stereotype.Component;

/**
 * The indexes real MongoDB needs for the reports' window queries (the projections are written as plain documents,
 * so there are no mapped classes to carry {@code @Indexed}). The embedded store ignores them.
 */
@Component
class ProjectionIndexes {

    private final MongoTemplate mongo;

    ProjectionIndexes(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @EventListener(ApplicationReadyEvent.class)
    void ensure() {
        mongo.indexOps("referral-progress").createIndex(new Index().on("receivingAgencyId", Sort.Direction.ASC)
                .on("cohortAt", Sort.Direction.DESC).named("receiving-cohort"));
        mongo.indexOps("referral-progress").createIndex(new Index().on("agencies", Sort.Direction.ASC)
                .on("cohortAt", Sort.Direction.DESC).named("agencies-cohort"));
        mongo.indexOps("referral-progress").createIndex(new Index().on("cohortAt", Sort.Direction.DESC)
                .named("cohort"));
        mongo.indexOps("referral-progress").createIndex(new Index().on("opportunityId", Sort.Direction.ASC)
                .named("opportunity"));
        mongo.indexOps("milestones").createIndex(new Index().on("occurredOn", Sort.Direction.DESC).named("occurred"));
        mongo.indexOps("milestones").createIndex(new Index().on("referralId", Sort.Direction.ASC).named("referral"));
        mongo.indexOps("milestones").createIndex(new Index().on("agencies", Sort.Direction.ASC)
                .on("occurredOn", Sort.Direction.DESC).named("agencies-occurred"));
    }
}
