package org.pathways.gateway;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/** The one entry point: routes, authenticates, adds correlation ids, breaks circuits. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static final String NAME = "gateway";

    public static void main(String[] args) {
        run(args);
    }

    public static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(GatewayApplication.class)
                .properties("spring.config.name=" + NAME)
                .run(args);
    }
}
