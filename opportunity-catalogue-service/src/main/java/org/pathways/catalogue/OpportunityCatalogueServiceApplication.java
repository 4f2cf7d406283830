package org.pathways.catalogue;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The partnership's catalogue of opportunities: courses, support services and advice, and their places. */
@SpringBootApplication
public class OpportunityCatalogueServiceApplication {

    public static final String NAME = "opportunity-catalogue-service";

    public static void main(String[] args) {
        run(args);
    }

    public static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(OpportunityCatalogueServiceApplication.class)
                .properties("spring.config.name=" + NAME)
                .run(args);
    }
}
