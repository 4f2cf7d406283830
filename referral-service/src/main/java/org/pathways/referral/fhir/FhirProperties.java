package org.pathways.referral.fhir;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The FHIR API's settings ({@code pathways.fhir.*}).
 *
 * @param baseUrl the FHIR base as clients reach it (through the gateway), e.g.
 *                {@code https://pathways.example/api/fhir/r4}: the start of every {@code fullUrl} and link in a
 *                Bundle. Empty: taken from the request, which is right only when clients call the service directly
 *                (the services do not trust forwarded headers).
 */
@ConfigurationProperties("pathways.fhir")
record FhirProperties(String baseUrl) {

    FhirProperties {
        baseUrl = baseUrl == null || baseUrl.isBlank() ? null : baseUrl.replaceFirst("/+$", "");
    }
}
