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
@EnableConfigurationProperties(ProtectionProperties.class)
public class GatewayProtection {

    @Bean
    ClientRateLimit clientRateLimit(ProtectionProperties properties) {
        return new ClientRateLimit(properties);
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
        cors.setExposedHeaders(List.of("Location", "X-Correlation-Id", "Retry-After", "X-RateLimit-Remaining"));
        cors.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/api/**", cors);
        return source;
    }
}
