package org.pathways.progression.rebuild;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.pathways.messaging.cloudevents.CloudEventCodec;
import org.pathways.messaging.inbox.ErasedLearners;
import org.pathways.progression.events.ProjectionFeed;
import org.pathways.progression.tally.Generations;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * The rebuild of another instance of the service: same store, broker, clock and projections as the test's, with a
 * lease and a {@link RebuildCheckpoint} of the test's choosing (where it is killed, its store made slow, a projection
 * made to fail).
 */
final class AnotherInstance {

    private AnotherInstance() {
    }

    /** With the service's own lease ({@code pathways.progression.rebuild.lease}). */
    static ProjectionRebuild of(ApplicationContext context, RebuildCheckpoint checkpoint) {
        return of(context, context.getEnvironment().getProperty("pathways.progression.rebuild.lease", Duration.class,
                Duration.ofMinutes(2)), checkpoint);
    }

    static ProjectionRebuild of(ApplicationContext context, Duration lease, RebuildCheckpoint checkpoint) {
        Environment environment = context.getEnvironment();
        return new ProjectionRebuild(context.getBean(ProjectionFeed.class), context.getBean(Generations.class),
                context.getBean(CloudEventCodec.class), context.getBean(ErasedLearners.class),
                context.getBean(MongoTemplate.class), context.getBean(Clock.class),
                context.getBean(KafkaProperties.class), environment,
                List.of(environment.getRequiredProperty(
                        "spring.cloud.stream.bindings.partnershipEvents-in-0.destination", String[].class)),
                false, lease, checkpoint);
    }
}
