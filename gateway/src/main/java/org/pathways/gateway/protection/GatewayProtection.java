package org.pathways.gateway.protection;

import java.util.List;

import org.pathways.platform.http.RequestBodyLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.cloud.CloudPlatform;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/** Rate limits, request size limits and CORS for the web app. Security headers come from Spring Security. */
@Configuration
@EnableConfigurationProperties({ProtectionProperties.class, RateLimitProperties.class})
public class GatewayProtection {

    private static final Logger log = LoggerFactory.getLogger(GatewayProtection.class);
    static final String NO_PROXY_TRUSTED = "^$";

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
                                                                              ProtectionProperties properties,
                                                                              ObjectProvider<JwtDecoder> tokens) {
        FilterRegistrationBean<UnauthenticatedRateLimit> registration =
                new FilterRegistrationBean<>(new UnauthenticatedRateLimit(buckets, properties, tokens));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return registration;
    }

    /**
     * Behind a platform's ingress (Spring Boot detects Kubernetes, or another cloud platform) with no proxy trusted
     * ({@code GATEWAY_TRUSTED_PROXIES} left at {@code ^$}), every client is the ingress's address: the per-address
     * limits then count all of them together, and the web app is told the gateway's own scheme and host. Said once
     * at start; not refused, since a gateway reached without a proxy (a LoadBalancer keeping the client's address)
     * is right to trust none.
     */
    @Bean
    InitializingBean trustedProxiesChecked(Environment environment) {
        return () -> {
            String trusted = environment.getProperty("server.tomcat.remoteip.internal-proxies", "");
            CloudPlatform platform = CloudPlatform.getActive(environment);
            if (NO_PROXY_TRUSTED.equals(trusted.strip()) && platform != null) {
                log.warn("Running on {} with no proxy trusted (GATEWAY_TRUSTED_PROXIES is {}): behind an ingress every"
                        + " client has the ingress's address, so they share their per-address limits, and the web app"
                        + " sees http and the gateway's host. Set GATEWAY_TRUSTED_PROXIES to the ingress controller's"
                        + " pod range (docs/deploy.md).", platform, NO_PROXY_TRUSTED);
            }
        };
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
