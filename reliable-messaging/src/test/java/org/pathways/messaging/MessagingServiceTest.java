package org.pathways.messaging;

import org.pathways.testing.SharedInfrastructure;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The messaging test service ({@link MessagingTestApplication}) running on a random port against the JVM's shared
 * broker and store: every test of it extends this, so that they share one Spring context (a {@code @SpringBootTest}
 * or {@code @DynamicPropertySource} of a class's own would give it a context of its own, with its own consumers left
 * running on the shared broker until the JVM exits).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=messaging-test")
public abstract class MessagingServiceTest {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry, "messaging-test");
    }
}
