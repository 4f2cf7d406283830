package org.pathways.gateway.protection;

import java.util.List;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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

    @Bean
    RequestSizeLimit requestSizeLimit(ProtectionProperties properties) {
        return new RequestSizeLimit(properties.maxRequestBytes());
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
