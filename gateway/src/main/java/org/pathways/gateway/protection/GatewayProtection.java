package org.pathways.gateway.protection;

import java.util.List;

import org.pathways.platform.http.RequestBodyLimit;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/** Rate limits, request size limits and CORS for the web app. Security headers come from Spring Security. */
@Configuration
@EnableConfigurationProperties({ProtectionProperties.class, RateLimitProperties.class})
public class GatewayProtection {

    @Bean(destroyMethod = "close")
    ClientBuckets clientBuckets(ProtectionProperties protection, RateLimitProperties rateLimit) {
        return rateLimit.sharedInRedis()
                ? ClientBuckets.inRedis(rateLimit)
                : ClientBuckets.inMemory(protection.period());
    }

    @Bean
    ClientRateLimit clientRateLimit(ClientBuckets buckets, ProtectionProperties properties) {
        return new ClientRateLimit(buckets, properties);
    }

    /** The gateway's own body limit in place of the services' default (service-platform registers the filter). */
    @Bean
    RequestBodyLimit requestBodyLimit(ProtectionProperties properties) {
        return new RequestBodyLimit(properties.maxRequestBytes(), properties.largerLimitsInBytes(), true);
    }

    /** After the platform's first filters (malformed requests, body limit), before Spring Security (-100). */
    @Bean
    FilterRegistrationBean<UnauthenticatedRateLimit> unauthenticatedRateLimit(ClientBuckets buckets,
                                                                              ProtectionProperties properties) {
        FilterRegistrationBean<UnauthenticatedRateLimit> registration =
                new FilterRegistrationBean<>(new UnauthenticatedRateLimit(buckets, properties));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return registration;
    }

    @Bean
    CorsConfigurationSource corsConfigurationSource(ProtectionProperties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(properties.allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "If-Match",
                "X-Correlation-Id"));
        // ETag: the web app reads a resource's version from it and sends it back in If-Match.
        cors.setExposedHeaders(List.of("Location", "ETag", "X-Correlation-Id", "Retry-After",
                "X-RateLimit-Remaining"));
        cors.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/api/**", cors);
        return source;
    }
}
