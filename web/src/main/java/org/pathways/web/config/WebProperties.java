package org.pathways.web.config;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param apiUrl where the gateway answers the API (the web app calls {@code /api/...} there with the user's token)
 * @param registrationId the OAuth2 client registration the web app signs people in with
 */
@ConfigurationProperties("pathways.web")
public record WebProperties(@DefaultValue("http://localhost:8080") URI apiUrl,
                            @DefaultValue("pathways") String registrationId) {
}
