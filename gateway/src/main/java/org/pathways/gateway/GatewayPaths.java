package org.pathways.gateway;

import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import static org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.pathPattern;

/** Which requests are the API's (a bearer token, checked here) and which the web app's (its own session sign-in). */
public final class GatewayPaths {

    /** The API, its documentation, the gateway's own actuator and fallbacks, and the error page. */
    public static final RequestMatcher GATEWAY_OWN = new OrRequestMatcher(
            pathPattern("/api/**"), pathPattern("/v3/api-docs/**"), pathPattern("/v3/api-docs"),
            pathPattern("/swagger-ui/**"), pathPattern("/swagger-ui.html"), pathPattern("/actuator/**"),
            pathPattern("/unavailable/**"), pathPattern("/error"));

    /** Everything else: the web app's pages, its static files and its sign-in callback. */
    public static final RequestMatcher WEB_APP = new NegatedRequestMatcher(GATEWAY_OWN);

    private GatewayPaths() {
    }
}
