package org.pathways.web.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.authority.mapping.GrantedAuthoritiesMapper;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * The backend-for-frontend's security: people sign in with the platform's issuer (authorization code + PKCE, the
 * redirect coming back to {@code /login/callback}); the tokens stay in the server-side session, the browser holds only
 * the HTTP-only session cookie; every state-changing request carries a CSRF token (a form field, or for htmx the
 * {@code X-CSRF-TOKEN} header set by pathways.js); signing out ends the session here and at the issuer (OpenID
 * Connect RP-initiated logout), which then sends the browser back to the start page.
 */
@Configuration(proxyBeanMethods = false)
public class WebSecurity {

    static final String CALLBACK = "/login/callback";
    /** Set when someone signs out, read (and cleared) by the start page they come back to. */
    public static final String SIGNED_OUT_COOKIE = "pathways-signed-out";

    /** The signed-out cookie with {@code value}, kept {@code maxAge} seconds (0 clears it). */
    public static jakarta.servlet.http.Cookie signedOutCookie(jakarta.servlet.http.HttpServletRequest request,
                                                              String value, int maxAge) {
        jakarta.servlet.http.Cookie cookie = new jakarta.servlet.http.Cookie(SIGNED_OUT_COOKIE, value);
        cookie.setPath("/");
        cookie.setMaxAge(maxAge);
        cookie.setHttpOnly(true);
        cookie.setSecure(request.isSecure());
        cookie.setAttribute("SameSite", "Lax");
        return cookie;
    }

    @Bean
    SecurityFilterChain webApp(HttpSecurity http, ClientRegistrationRepository registrations) throws Exception {
        OidcClientInitiatedLogoutSuccessHandler signedOut =
                new OidcClientInitiatedLogoutSuccessHandler(registrations);
        signedOut.setPostLogoutRedirectUri("{baseUrl}/");
        http.authorizeHttpRequests(auth -> auth
                        .requestMatchers("/", "/language", "/webjars/**", "/css/**", "/js/**", "/images/**",
                                "/favicon.ico", "/error", "/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .anyRequest().authenticated())
                .oauth2Login(login -> login
                        .redirectionEndpoint(redirect -> redirect.baseUri(CALLBACK))
                        .successHandler(cameBack())
                        .userInfoEndpoint(userInfo -> userInfo.userAuthoritiesMapper(rolesFromIdToken())))
                .oauth2Client(client -> { })
                // The session is gone by the time the issuer sends the browser back, so a short-lived cookie
                // carries "you have signed out" to the start page (HomeController), which then clears it.
                .logout(logout -> logout.addLogoutHandler((request, response, authentication) ->
                        response.addCookie(signedOutCookie(request, "1", 120))).logoutSuccessHandler(signedOut))
                // An htmx request (a list refreshing itself) after the session ended cannot follow a redirect to the
                // issuer; htmx is told to take the whole page there instead.
                .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                        (request, response, e) -> {
                            response.setHeader("HX-Redirect", "/oauth2/authorization/pathways");
                            response.setStatus(jakarta.servlet.http.HttpServletResponse.SC_UNAUTHORIZED);
                        },
                        request -> "true".equals(request.getHeader("HX-Request"))))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'self'; script-src 'self'; "
                                + "style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                                + "base-uri 'self'; frame-ancestors 'none'"))
                        .referrerPolicy(referrer -> referrer
                                .policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
    }

    /**
     * Back from the issuer signed in: to the page asked for (the request cache), as by default, noting a round that a
     * refused token started ({@link SignInAgain}).
     */
    private static AuthenticationSuccessHandler cameBack() {
        SavedRequestAwareAuthenticationSuccessHandler toThePage = new SavedRequestAwareAuthenticationSuccessHandler();
        return (request, response, authentication) -> {
            SignInAgain.cameBack(request.getSession(false));
            toThePage.onAuthenticationSuccess(request, response, authentication);
        };
    }

    /** The issuer's ID token names the person's platform roles ({@code roles}); they become ROLE_ authorities. */
    private static GrantedAuthoritiesMapper rolesFromIdToken() {
        return (Collection<? extends GrantedAuthority> authorities) -> {
            List<GrantedAuthority> mapped = new ArrayList<>(authorities);
            for (GrantedAuthority authority : authorities) {
                if (authority instanceof OidcUserAuthority oidc) {
                    Object roles = oidc.getIdToken().getClaims().get("roles");
                    if (roles instanceof Collection<?> names) {
                        names.forEach(name -> mapped.add(new SimpleGrantedAuthority("ROLE_" + name)));
                    }
                }
            }
            return mapped;
        };
    }

    /**
     * Hands the API client the signed-in person's access token. The issuer gives the web app no refresh token, so an
     * expired token sends the browser through the issuer again (its own session usually signs them straight back).
     */
    @Bean
    OAuth2AuthorizedClientManager authorizedClientManager(ClientRegistrationRepository registrations,
                                                          OAuth2AuthorizedClientRepository authorizedClients) {
        OAuth2AuthorizedClientProvider provider = OAuth2AuthorizedClientProviderBuilder.builder()
                .authorizationCode()
                .refreshToken()
                .build();
        DefaultOAuth2AuthorizedClientManager manager =
                new DefaultOAuth2AuthorizedClientManager(registrations, authorizedClients);
        manager.setAuthorizedClientProvider(provider);
        return manager;
    }
}
