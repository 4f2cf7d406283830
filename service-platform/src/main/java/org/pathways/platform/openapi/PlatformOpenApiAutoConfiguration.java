package org.pathways.platform.openapi;

import java.util.List;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
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

    /**
     * Every operation has a summary (Redocly's {@code operation-summary}): the one its controller gives, or else its
     * handler method's name in words ({@code listSubscriptions} → "List subscriptions"), which speaks the domain's
     * language already.
     */
    @Bean
    OperationCustomizer summariseOperations() {
        return (operation, handlerMethod) -> {
            if (operation.getSummary() == null || operation.getSummary().isBlank()) {
                operation.setSummary(inWords(handlerMethod.getMethod().getName()));
            }
            return operation;
        };
    }

    static String inWords(String methodName) {
        String words = methodName.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /**
     * The problem details every operation can answer with, documented (Redocly's {@code operation-4xx-response}):
     * 401 for a missing or invalid bearer token (every operation needs one) and, where the caller sends parameters
     * or a body, 400 for ones that cannot be read. Both are RFC 9457 {@code application/problem+json}. An operation
     * keeps whatever 4xx answers its controller documents itself.
     */
    @Bean
    OpenApiCustomizer documentProblemResponses() {
        return openApi -> {
            if (openApi.getPaths() == null) {
                return;
            }
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSchemas(PROBLEM, new ObjectSchema()
                    .description("RFC 9457 problem details")
                    .addProperty("type", new StringSchema().format("uri-reference"))
                    .addProperty("title", new StringSchema())
                    .addProperty("status", new IntegerSchema())
                    .addProperty("detail", new StringSchema())
                    .addProperty("instance", new StringSchema().format("uri-reference")));
            openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
                ApiResponses responses = operation.getResponses() == null ? new ApiResponses()
                        : operation.getResponses();
                operation.setResponses(responses);
                if (responses.keySet().stream().anyMatch(code -> code.startsWith("4"))) {
                    return;
                }
                boolean takesInput = operation.getRequestBody() != null
                        || (operation.getParameters() != null && !operation.getParameters().isEmpty());
                if (takesInput) {
                    responses.addApiResponse("400", problem("The parameters or the body cannot be accepted"));
                }
                responses.addApiResponse("401", problem("No valid bearer token"));
            }));
        };
    }

    private static final String PROBLEM = "Problem";

    private static ApiResponse problem(String description) {
        return new ApiResponse().description(description).content(new Content().addMediaType(
                "application/problem+json", new MediaType().schema(new Schema<>().$ref("#/components/schemas/"
                        + PROBLEM))));
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
