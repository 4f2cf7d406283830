package org.pathways.progression;

import org.pathways.testing.HttpApi;
import org.pathways.testing.MutableClock;
import org.pathways.testing.RunningServiceTest;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.StoreCommands;
import org.pathways.testing.StoreFaults;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The one Spring context of this module's service tests (same properties everywhere, so it is cached): the real
 * shared Kafka broker and Mongo-wire store (with {@link StoreFaults}, with which a test fails a thread's commands), the
 * API over real HTTP. Live streams are short and chatty here so that
 * heartbeats and the end of a stream can be seen within a test's deadline.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=" + ProgressionServiceApplication.NAME,
        "pathways.progression.live.lifetime=PT20S",
        "pathways.progression.live.heartbeat=PT0.5S",
        "pathways.progression.live.flush=PT0.2S",
        // Tests check how figures were derived when they choose (an older version's store), not on a timer.
        "pathways.progression.rebuild.derivation-check=PT1H"})
@Import({StoreCommands.class, StoreFaults.class, ProgressionServiceTest.Clocks.class})
public abstract class ProgressionServiceTest extends RunningServiceTest {

    /** The service's clock, which a test moves forward to run a lease out (and sets back when done). */
    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {
        @Bean
        MutableClock clock() {
            return new MutableClock();
        }
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry, "progression");
    }

    /** A 400 answered with problem details (of any of the platform's kinds: bad-request, validation...). */
    protected static boolean isBadRequestProblem(HttpApi.Response response) {
        return response.status() == 400 && response.contentType().startsWith("application/problem+json")
                && response.text("type").startsWith("urn:pathways:problem:");
    }

    protected static String unique(String prefix) {
        return prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }
}
