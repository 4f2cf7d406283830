package org.pathways.referral;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Referrals between agencies and their closed-loop lifecycle. */
@SpringBootApplication
public class ReferralServiceApplication {

    public static final String NAME = "referral-service";

    public static void main(String[] args) {
        run(args);
    }

    public static ConfigurableApplicationContext run(String... args) {
        return new SpringApplicationBuilder(ReferralServiceApplication.class)
                .properties("spring.config.name=" + NAME)
                .run(args);
    }
}
