package org.pathways.platform.metrics;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import org.pathways.platform.problem.ProblemResponses;
import org.pathways.platform.security.PlatformSecurityAutoConfiguration;

/**
 * Prometheus scrapes {@code /actuator/prometheus} without a token, but only on the separate management port
 * ({@code management.server.port}, from {@code MANAGEMENT_PORT}): a port that the gateway never routes and that
 * compose and Kubernetes expose only inside their networks. Agency users, who come through the gateway to the
 * service port, never reach it: with a management port set, the service port serves no actuator endpoint at all.
 *
 * <p>Spring Boot registers the application's security filter in the management child context too, so requests on
 * both ports meet the same chains, and Boot's {@code EndpointRequest} matchers do not look at the port
 * (spring-boot#15702, #50355; in PrometheusScrapeTest, {@code EndpointRequest.to("prometheus")} did not even match
 * the request on the management port once the service port had served one). This chain therefore matches the endpoint's
 * path under {@code management.endpoints.web.base-path} <em>and</em> the management port (read when the request
 * arrives, so that a random port in tests works), is ordered first, and leaves every other
 * request to the platform's chain. Declared after {@link PlatformSecurityAutoConfiguration} so that the platform's
 * own chain (conditional on there being none) is still created.
 */
@AutoConfiguration(after = PlatformSecurityAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(SecurityFilterChain.class)
public class PrometheusScrapeAutoConfiguration {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    @ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
    SecurityFilterChain prometheusScrapeFilterChain(HttpSecurity http, Environment environment) throws Exception {
        RequestMatcher onManagementPort = request -> isManagementPort(request, environment);
        http.securityMatcher(new AndRequestMatcher(onManagementPort, scrapePath(environment)))
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    /**
     * Without a separate management port (the devstack, the services' own tests) nobody scrapes, and the endpoint
     * would sit on the service port, which agency users reach through the gateway with their tokens: there it is
     * not found, whoever asks.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    @ConditionalOnManagementPort(ManagementPortType.SAME)
    SecurityFilterChain prometheusOffTheServicePortFilterChain(HttpSecurity http, Environment environment)
            throws Exception {
        http.securityMatcher(scrapePath(environment))
                .authorizeHttpRequests(auth -> auth.anyRequest().denyAll())
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, denied) -> notFound(response))
                        .accessDeniedHandler((request, response, denied) -> notFound(response)));
        return http.build();
    }

    private static RequestMatcher scrapePath(Environment environment) {
        String basePath = environment.getProperty("management.endpoints.web.base-path", "/actuator");
        return PathPatternRequestMatcher.withDefaults().matcher(basePath + "/prometheus");
    }

    private static void notFound(HttpServletResponse response) throws IOException {
        ProblemResponses.write(response, HttpStatus.NOT_FOUND, "not-found", "There is no such resource.");
    }

    /** The port the request arrived on is the management server's (known once that server has started). */
    static boolean isManagementPort(HttpServletRequest request, Environment environment) {
        Integer port = environment.getProperty("local.management.port", Integer.class);
        return port != null && port > 0 && request.getLocalPort() == port;
    }
}
