package org.pathways.progression;

import org.pathways.progression.live.LiveProperties;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The coordinators' read side: projections of every event, never a source of truth. */
@SpringBootApplication
@EnableConfigurationProperties(LiveProperties.class)
public class ProgressionServiceApplication {

    public static final String NAME = "progression-service";

    public static void main(String[] args) {
        run(args);
    }

    public static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(ProgressionServiceApplication.class)
                .properties("spring.config.name=" + NAME)
                .run(args);
    }
}
