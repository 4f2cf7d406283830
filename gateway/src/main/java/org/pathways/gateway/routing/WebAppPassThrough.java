package org.pathways.gateway.routing;

import org.pathways.gateway.GatewayApplication;
import org.pathways.gateway.GatewayPaths;
import org.pathways.platform.security.PlatformSecurityAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The web app signs people in itself (a session cookie, not a bearer token), protects its forms with CSRF tokens and
 * writes its own security headers, so the gateway's bearer-token security stays off its paths: a filter chain of its
 * own that lets them through unchanged, ahead of the platform's, which checks the token of everything under
 * {@code /api} as before. The web app's calls to the API come back through {@code /api} with the person's token, and
 * are checked then.
 *
 * <p>An auto-configuration after the platform's, not a component: a {@link SecurityFilterChain} bean of the
 * application's own would stand in for the platform's chain, which is made only when there is none.
 */
@AutoConfiguration(after = PlatformSecurityAutoConfiguration.class)
// Only in the gateway's own context: tests run several services from one class path, where this module's
// auto-configurations are seen by all of them (the identity service's sign-in endpoints would pass through).
@ConditionalOnBean(GatewayApplication.class)
public class WebAppPassThrough {

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 20)
    SecurityFilterChain webAppPassesThrough(HttpSecurity http) throws Exception {
        http.securityMatcher(GatewayPaths.WEB_APP)
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .headers(headers -> headers.disable())
                .requestCache(cache -> cache.disable())
                // The web app's own sign-out (POST /logout) and sign-in pages are its own: none of the chain's
                // defaults may answer for it.
                .logout(logout -> logout.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .anonymous(anonymous -> anonymous.disable())
                .securityContext(context -> context.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }
}
