package org.pathways.identity;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

@SpringBootApplication
@ConfigurationPropertiesScan
public class IdentityServiceApplication {

    public static final String NAME = "identity-service";

    public static void main(String[] args) {
        run(args);
    }

    public static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(IdentityServiceApplication.class)
                .properties("spring.config.name=" + NAME).run(args);
    }
}
