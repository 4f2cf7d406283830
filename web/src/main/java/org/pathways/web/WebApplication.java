package org.pathways.web;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/** The web app: server-rendered pages for the partnership's people, a backend-for-frontend of the gateway's API. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WebApplication {

    public static final String NAME = "web";

    public static void main(String[] args) {
        run(args);
    }

    public static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(WebApplication.class)
                .properties("spring.config.name=" + NAME)
                .run(args);
    }
}
