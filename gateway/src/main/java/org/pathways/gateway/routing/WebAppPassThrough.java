package org.pathways.gateway.routing;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;

/**
 * The web app signs people in itself (a session cookie, not a bearer token) and protects its forms with CSRF tokens,
 * so the gateway's bearer-token security stays off its paths: the gateway passes them on unchanged, and checks the
 * token of everything under {@code /api} as before. The web app's calls to the API come back through {@code /api}
 * with the person's token, and are checked then.
 */
@Configuration(proxyBeanMethods = false)
class WebAppPassThrough {

    @Bean
    WebSecurityCustomizer webAppPassesThrough() {
        return web -> web.ignoring().requestMatchers(GatewayPaths.WEB_APP);
    }
}
