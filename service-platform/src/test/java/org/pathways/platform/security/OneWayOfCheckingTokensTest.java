package org.pathways.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A service configured with both a shared secret and an issuer would accept tokens minted by anyone holding the
 * secret: it refuses to start, and says why. Either one alone starts.
 */
class OneWayOfCheckingTokensTest {

    private static final String SECRET = "c2hhcmVkLXNlY3JldC10ZXN0LW9mLWF0LWxlYXN0LXRoaXJ0eS10d28tYnl0ZXMh";

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(IssuerTokenValidationTest.Service.class)
                .properties("server.port=0", "spring.main.banner-mode=off")
                .properties(properties)
                .run();
    }

    @Test
    void aServiceWithASharedSecretAndAnIssuerRefusesToStart() {
        for (String issuerProperty : new String[] {"spring.security.oauth2.resourceserver.jwt.issuer-uri",
                "spring.security.oauth2.resourceserver.jwt.jwk-set-uri"}) {
            assertThatThrownBy(() -> start("pathways.security.jwt-secret=" + SECRET,
                    issuerProperty + "=http://localhost:9/issuer"))
                    .as(issuerProperty)
                    .rootCause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("pathways.security.jwt-secret")
                    .hasMessageContaining("issuer-uri")
                    .hasMessageContaining("one way only");
        }
    }

    @Test
    void eitherOneAloneStarts() {
        try (ConfigurableApplicationContext secretOnly = start("pathways.security.jwt-secret=" + SECRET)) {
            assertThat(secretOnly.isRunning()).isTrue();
        }
        try (ConfigurableApplicationContext issuerOnly =
                     start("spring.security.oauth2.resourceserver.jwt.issuer-uri=http://localhost:9/issuer")) {
            assertThat(issuerOnly.isRunning()).isTrue();
        }
    }
}
