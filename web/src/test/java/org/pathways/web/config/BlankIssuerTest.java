package org.pathways.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientPropertiesMapper;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

/**
 * The web app's provider as docker-compose configures it (PATHWAYS_ISSUER_URI="", the endpoints given one by one):
 * the registration is built from the endpoints; Spring Boot alone would try to discover an issuer at "" and fail.
 */
class BlankIssuerTest {

    private static final String PROVIDER = "spring.security.oauth2.client.provider.pathways.";
    private static final String REGISTRATION = "spring.security.oauth2.client.registration.pathways.";

    @Test
    void anEmptyIssuerAddressMeansTheGivenEndpoints() {
        Map<String, String> compose = Map.of(
                PROVIDER + "issuer-uri", "",
                PROVIDER + "authorization-uri", "http://localhost:9000/oauth2/authorize",
                PROVIDER + "token-uri", "http://identity-service:8080/oauth2/token",
                PROVIDER + "jwk-set-uri", "http://identity-service:8080/oauth2/jwks",
                PROVIDER + "user-info-uri", "http://identity-service:8080/userinfo",
                REGISTRATION + "client-id", "pathways-web",
                REGISTRATION + "authorization-grant-type", "authorization_code",
                REGISTRATION + "redirect-uri", "{baseUrl}/login/callback",
                REGISTRATION + "scope", "openid");
        OAuth2ClientProperties properties = new Binder(new MapConfigurationPropertySource(compose))
                .bind("spring.security.oauth2.client", OAuth2ClientProperties.class).get();
        assertThat(properties.getProvider().get("pathways").getIssuerUri()).as("bound as given").isEmpty();

        ClientRegistration registration = new OAuth2ClientPropertiesMapper(BlankIssuer.withoutBlankIssuers(properties))
                .asClientRegistrations().get("pathways");

        assertThat(registration.getProviderDetails().getTokenUri()).isEqualTo("http://identity-service:8080/oauth2/token");
        assertThat(registration.getProviderDetails().getAuthorizationUri())
                .isEqualTo("http://localhost:9000/oauth2/authorize");
    }
}
