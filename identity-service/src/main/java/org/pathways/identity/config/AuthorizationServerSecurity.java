package org.pathways.identity.config;

import java.time.Clock;
import java.util.Set;

import org.pathways.identity.directory.IdentityProperties;
import org.pathways.identity.directory.PartnershipDirectory;
import org.pathways.identity.guessing.GuessingLimits;
import org.pathways.identity.guessing.GuessingProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.preauth.AbstractPreAuthenticatedProcessingFilter;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * Two filter chains, as Spring Authorization Server lays them out: the protocol endpoints (authorize, token, JWK
 * Set, discovery, userinfo, revocation, introspection), which send a browser without a session to the sign-in page;
 * and everything else, which is the sign-in page itself and the health probes. Both put {@link GuessingLimits} in
 * front of their secret checks: the client secret at the protocol endpoints, the password on the sign-in form.
 */
@Configuration(proxyBeanMethods = false)
public class AuthorizationServerSecurity {

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServerEndpoints(HttpSecurity http, GuessingLimits guessing) throws Exception {
        OAuth2AuthorizationServerConfigurer authorizationServer = new OAuth2AuthorizationServerConfigurer();
        http.securityMatcher(authorizationServer.getEndpointsMatcher())
                .with(authorizationServer, server -> server
                        .oidc(Customizer.withDefaults())
                        .clientAuthentication(clients -> clients.authenticationProviders(providers ->
                                providers.replaceAll(provider -> provider instanceof ClientSecretAuthenticationProvider
                                        ? guessing.clientSecrets(provider) : provider))))
                // before the client authentication filter, which the configurer adds right after this one
                .addFilterBefore(guessing.pausedClients(), AbstractPreAuthenticatedProcessingFilter.class)
                .authorizeHttpRequests(auth -> auth.anyRequest().authenticated())
                // The userinfo endpoint takes the access token itself.
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults()))
                .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"), browsers()));
        return http.build();
    }

    /** Only a browser asking for HTML goes to the login page; a program (no Accept, or JSON) gets a plain 401. */
    private static MediaTypeRequestMatcher browsers() {
        MediaTypeRequestMatcher html = new MediaTypeRequestMatcher(MediaType.TEXT_HTML);
        html.setIgnoredMediaTypes(Set.of(MediaType.ALL));
        return html;
    }

    @Bean
    @Order(2)
    SecurityFilterChain signIn(HttpSecurity http, PartnershipDirectory directory, PasswordEncoder passwordEncoder,
                               GuessingLimits guessing) throws Exception {
        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(directory);
        passwords.setPasswordEncoder(passwordEncoder);
        // The form's only authentication manager: no parent that would check the password once more.
        http.authenticationManager(new ProviderManager(guessing.signIns(passwords)))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info", "/error")
                        .permitAll()
                        .anyRequest().authenticated())
                .formLogin(form -> form.withObjectPostProcessor(guessing.pausedSignInPage()));
        return http.build();
    }

    /** Spring Security's recommended encoder: bcrypt today, and it still reads whatever {id} a hash names. */
    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** A test may give a clock of its own, to pass a window without waiting. */
    @Bean
    GuessingLimits guessingLimits(GuessingProperties properties, ObjectProvider<Clock> clock,
                                  PartnershipDirectory directory) {
        return new GuessingLimits(properties, clock.getIfAvailable(Clock::systemUTC),
                clientId -> directory.findByClientId(clientId) != null);
    }

    /** The Boot property would turn an empty value into an invalid issuer; empty here means "from the request". */
    @Bean
    AuthorizationServerSettings authorizationServerSettings(IdentityProperties properties) {
        AuthorizationServerSettings.Builder settings = AuthorizationServerSettings.builder();
        if (properties.issuer() != null && !properties.issuer().isBlank()) {
            settings.issuer(properties.issuer());
        }
        return settings.build();
    }

    @Bean
    PartnershipDirectory partnershipDirectory(IdentityProperties properties, PasswordEncoder passwordEncoder) {
        return new PartnershipDirectory(properties, passwordEncoder);
    }
}
