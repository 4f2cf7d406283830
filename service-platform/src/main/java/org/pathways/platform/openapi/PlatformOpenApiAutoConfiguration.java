package org.pathways.platform.openapi;

import java.util.List;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

import org.pathways.platform.security.Caller;
import org.pathways.platform.security.PlatformSecurityAutoConfiguration;

/**
 * Every service describes its API at {@code /v3/api-docs} (springdoc); the gateway routes each document under
 * {@code /v3/api-docs/<service>} and shows them all on one Swagger UI page.
 *
 * <p>The documents are open without a token: they describe the shape of the API, which is no secret (the same
 * holds for any published API reference), and hold no data. Every operation in them still needs a bearer token;
 * the document says so ({@code bearer-jwt}). Set {@code springdoc.api-docs.enabled=false} to hide them.
 *
 * <p>This chain matches only the documentation paths and is ordered before the platform's chain, which keeps
 * guarding everything else; it is declared after {@link PlatformSecurityAutoConfiguration} so that the platform's
 * own chain (conditional on there being none) is still created.
 */
@AutoConfiguration(after = PlatformSecurityAutoConfiguration.class)
@ConditionalOnClass(name = "org.springdoc.core.configuration.SpringDocConfiguration")
public class PlatformOpenApiAutoConfiguration {

    /** The documentation paths of a service (and, at the gateway, of the Swagger UI page). */
    public static final String[] DOCUMENTATION_PATHS = {
            "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml", "/swagger-ui.html", "/swagger-ui/**"};

    static {
        // The caller comes from the token, never from the request's parameters: keep it out of the documents.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    @Bean
    @ConditionalOnMissingBean(OpenAPI.class)
    OpenAPI pathwaysOpenApi(@Value("${spring.application.name:pathways}") String application) {
        return new OpenAPI()
                .info(new Info().title("Pathways " + application).version("v1")
                        .description("Agency-scoped API of the " + application
                                + ". Every operation needs a bearer token carrying the caller's agency and roles."))
                // relative: "try it out" goes to wherever the document was read from, i.e. through the gateway
                .servers(List.of(new Server().url("/")))
                .components(new Components().addSecuritySchemes("bearer-jwt", new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")))
                .addSecurityItem(new SecurityRequirement().addList("bearer-jwt"));
    }

    /**
     * A parameter that one of the application's own argument resolvers fills in (the {@link Caller}, a service's
     * access context) comes from the token or the server, not from the client: it is not part of the API.
     */
    @Bean
    OperationCustomizer hideServerResolvedParameters(ObjectProvider<RequestMappingHandlerAdapter> adapter) {
        return (operation, handlerMethod) -> {
            List<HandlerMethodArgumentResolver> resolvers = adapter.getIfAvailable() == null ? List.of()
                    : adapter.getIfAvailable().getCustomArgumentResolvers();
            if (operation.getParameters() == null || resolvers == null || resolvers.isEmpty()) {
                return operation;
            }
            for (var parameter : handlerMethod.getMethodParameters()) {
                String name = parameter.getParameter().isNamePresent() ? parameter.getParameter().getName() : null;
                if (name != null && resolvers.stream().anyMatch(resolver -> resolver.supportsParameter(parameter))) {
                    operation.getParameters().removeIf(documented -> name.equals(documented.getName())
                            && !"path".equals(documented.getIn()) && !"header".equals(documented.getIn()));
                }
            }
            return operation;
        };
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE + 10)
    SecurityFilterChain apiDocumentationSecurityFilterChain(HttpSecurity http) throws Exception {
        return http.securityMatcher(DOCUMENTATION_PATHS)
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
                .build();
    }
}
