package org.pathways.platform.security;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import org.pathways.platform.problem.ProblemResponses;

/**
 * Zero trust inside: every service validates the caller's JWT itself, whoever forwarded the request. Only health
 * and info are open, so that orchestrators can probe them; the other actuator endpoints need a platform admin.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration"})
@EnableConfigurationProperties({SecurityProperties.class, RoleRequiredPaths.class})
public class PlatformSecurityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(SecurityFilterChain.class)
    SecurityFilterChain pathwaysSecurityFilterChain(HttpSecurity http, RoleRequiredPaths roleRequired)
            throws Exception {
        BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
        BearerTokenAccessDeniedHandler denied = new BearerTokenAccessDeniedHandler();
        http.csrf(csrf -> csrf.disable())
                .cors(Customizer.withDefaults())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(auth -> {
                    auth.requestMatchers("/actuator/health/**", "/actuator/health", "/actuator/info", "/error")
                            .permitAll()
                            // Operational figures are for the platform's operators, not for agencies' staff.
                            .requestMatchers("/actuator/**").hasAuthority(Role.PLATFORM_ADMIN.authority());
                    // Refused before a controller reads the body (RoleRequiredPaths).
                    roleRequired.roleRequired().values().forEach(rule -> auth
                            .requestMatchers(rule.method(), rule.paths().toArray(String[]::new))
                            .hasAuthority(rule.role().authority()));
                    auth.anyRequest().authenticated();
                })
                .oauth2ResourceServer(rs -> rs
                        .jwt(jwt -> jwt.jwtAuthenticationConverter(rolesFromClaim()))
                        .authenticationEntryPoint((request, response, e) -> {
                            bearer.commence(request, response, e);
                            ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated",
                                    "A valid bearer token is required.");
                        })
                        .accessDeniedHandler((request, response, e) -> {
                            denied.handle(request, response, e);
                            ProblemResponses.write(response, HttpStatus.FORBIDDEN, "forbidden",
                                    "Your role does not allow this.");
                        }))
                .exceptionHandling(Customizer.withDefaults());
        return http.build();
    }

    /**
     * A service checks tokens one way only. Were a shared secret and an issuer both configured, the secret would win
     * and anyone holding it could mint tokens for any agency, unseen by the issuer: such a service refuses to start.
     */
    @Bean
    InitializingBean oneWayOfCheckingTokens(Environment environment) {
        return () -> {
            boolean secret = !environment.getProperty("pathways.security.jwt-secret", "").isBlank();
            boolean issuer = !environment.getProperty("spring.security.oauth2.resourceserver.jwt.issuer-uri", "")
                    .isBlank()
                    || !environment.getProperty("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", "").isBlank();
            if (secret && issuer) {
                throw new IllegalStateException("Both a shared secret (pathways.security.jwt-secret, "
                        + "PATHWAYS_JWT_SECRET) and an OpenID Connect issuer "
                        + "(spring.security.oauth2.resourceserver.jwt.issuer-uri or jwk-set-uri) are configured. "
                        + "A service checks tokens one way only: remove the shared secret, which is for the services' "
                        + "own tests.");
            }
        };
    }

    /**
     * Shared-secret HS256 tokens, for the services' own tests (platform-testing's TestTokens). Every other setup
     * names an issuer, and never both ({@link #oneWayOfCheckingTokens}).
     */
    @Bean
    @ConditionalOnMissingBean(JwtDecoder.class)
    @ConditionalOnExpression("'${pathways.security.jwt-secret:}' != ''")
    JwtDecoder sharedSecretJwtDecoder(SecurityProperties properties) {
        byte[] secret = Base64.getUrlDecoder().decode(properties.jwtSecret());
        NimbusJwtDecoder decoder = NimbusJwtDecoder
                .withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        decoder.setJwtValidator(SIGNATURE_ONLY);
        return new VerifiedTokens(decoder, validator(properties.jwtIssuer(), null), Clock.systemUTC());
    }

    /**
     * Tokens of an OpenID Connect provider (the identity-service locally, any OIDC provider in production), set with
     * Boot's own {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}: the keys come from the provider's
     * JWK Set (found through discovery, or at {@code jwk-set-uri} when the services reach the provider at another
     * address than the one its tokens name), only RS256 signatures are accepted, and {@code iss} must be exactly the
     * issuer URI, and, when {@code pathways.security.audience} is set (it is by default: {@code pathways-api}),
     * {@code aud} must name that audience, so that a token the provider minted for another resource is refused.
     * Built on first use, so that a service starts even while the provider is still starting.
     */
    @Bean
    @ConditionalOnMissingBean(JwtDecoder.class)
    @ConditionalOnExpression("'${pathways.security.jwt-secret:}' == '' "
            + "&& '${spring.security.oauth2.resourceserver.jwt.issuer-uri:}' != ''")
    JwtDecoder issuerJwtDecoder(Environment environment, SecurityProperties properties) {
        String issuer = environment.getRequiredProperty("spring.security.oauth2.resourceserver.jwt.issuer-uri");
        String jwkSetUri = environment.getProperty("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", "");
        return new VerifiedTokens(new SupplierJwtDecoder(() -> {
            NimbusJwtDecoder decoder = jwkSetUri.isBlank()
                    ? NimbusJwtDecoder.withIssuerLocation(issuer).jwsAlgorithm(SignatureAlgorithm.RS256).build()
                    : NimbusJwtDecoder.withJwkSetUri(jwkSetUri).jwsAlgorithm(SignatureAlgorithm.RS256).build();
            decoder.setJwtValidator(SIGNATURE_ONLY);
            return decoder;
        }), validator(issuer, properties.audience()), Clock.systemUTC());
    }

    /**
     * The Nimbus decoders check signatures only; {@link VerifiedTokens} checks the claims ({@link #validator}) on
     * every call, and the signature once per token while it is valid.
     */
    private static final OAuth2TokenValidator<Jwt> SIGNATURE_ONLY = jwt -> OAuth2TokenValidatorResult.success();

    /**
     * What every token must satisfy besides its signature: not expired and not before its time, an expiry at all
     * (a token without {@code exp} would never expire), when an issuer is configured exactly that issuer, and when an
     * audience is configured an {@code aud} naming it.
     */
    static OAuth2TokenValidator<Jwt> validator(String issuer, String audience) {
        JwtTimestampValidator timestamps = new JwtTimestampValidator();
        timestamps.setAllowEmptyExpiryClaim(false);
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(timestamps);
        if (issuer != null && !issuer.isBlank()) {
            validators.add(new JwtIssuerValidator(issuer));
        }
        if (audience != null && !audience.isBlank()) {
            validators.add(new JwtAudienceValidator(audience));
        }
        return JwtValidators.createDefaultWithValidators(validators);
    }

    private static JwtAuthenticationConverter rolesFromClaim() {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter((Jwt jwt) -> Caller.from(jwt).roles().stream()
                .map(role -> (GrantedAuthority) new SimpleGrantedAuthority(role.authority()))
                .toList());
        return converter;
    }

    @Bean
    WebMvcConfigurer callerArgumentResolverConfigurer() {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new CallerArgumentResolver());
            }
        };
    }
}
