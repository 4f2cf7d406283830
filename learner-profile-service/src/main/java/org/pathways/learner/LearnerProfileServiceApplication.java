package org.pathways.learner;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Learner profiles and the consents that decide which agencies may see them. */
@SpringBootApplication
public class LearnerProfileServiceApplication {

    public static final String NAME = "learner-profile-service";

    public static void main(String[] args) {
        run(args);
    }

    public static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(LearnerProfileServiceApplication.class)
                .properties("spring.config.name=" + NAME)
                .run(args);
    }
}
