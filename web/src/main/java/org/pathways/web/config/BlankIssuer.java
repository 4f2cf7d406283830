package org.pathways.web.config;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An empty issuer address means "no discovery": the provider is given endpoint by endpoint (docker-compose, where the
 * browser reaches the issuer at localhost and the web app inside the network). Spring Boot takes any issuer that is
 * not null as one to discover, and {@code PATHWAYS_ISSUER_URI=""} would stop the web app at start ("issuer cannot be
 * empty"), and the gateway, which waits for it, with it.
 */
@Configuration(proxyBeanMethods = false)
class BlankIssuer {

    @Bean
    static BeanPostProcessor blankIssuerMeansEndpoints() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof OAuth2ClientProperties properties) {
                    withoutBlankIssuers(properties);
                }
                return bean;
            }
        };
    }

    /** Forgets every provider's blank issuer address, so that its endpoints are used as given. */
    static OAuth2ClientProperties withoutBlankIssuers(OAuth2ClientProperties properties) {
        properties.getProvider().values().forEach(provider -> {
            if (provider.getIssuerUri() != null && provider.getIssuerUri().isBlank()) {
                provider.setIssuerUri(null);
            }
        });
        return properties;
    }
}
