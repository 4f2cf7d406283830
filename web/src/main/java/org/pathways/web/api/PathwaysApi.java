package org.pathways.web.api;

import static org.springframework.security.oauth2.client.web.client.RequestAttributeClientRegistrationIdResolver.clientRegistrationId;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.security.concurrent.DelegatingSecurityContextRunnable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.util.UriBuilder;

import org.pathways.web.config.WebProperties;

/**
 * The platform's API as the signed-in person may use it: every call goes through the gateway with their access
 * token (taken from the server-side session by Spring Security's OAuth2 client), so the API's own scoping by agency
 * and role is the only scoping there is. A 404 becomes {@link ApiProblem.NotFound} (the web app's one 404 page,
 * whether the record does not exist or is not the caller's); any other refusal becomes an {@link ApiProblem} carrying
 * the API's problem details, for the page to show. A {@code 401} means the API no longer takes the person's access
 * token (it expired: the issuer gives the web app no refresh token): the token is forgotten and the call ends in
 * {@link ClientAuthorizationRequiredException}, which no page mistakes for a refusal of what was asked; the error
 * pages send the person through the issuer again (its own session usually signs them straight back in).
 */
@Component
public class PathwaysApi {

    private static final ParameterizedTypeReference<Map<String, Object>> OBJECT = new ParameterizedTypeReference<>() {
    };
    private static final ParameterizedTypeReference<List<Map<String, Object>>> LIST =
            new ParameterizedTypeReference<>() {
            };

    private final RestClient client;
    private final OAuth2AuthorizedClientManager authorizedClients;
    private final String registrationId;
    private final SimpleAsyncTaskExecutor concurrent;

    public PathwaysApi(RestClient.Builder builder, OAuth2AuthorizedClientManager authorizedClients,
                       OAuth2AuthorizedClientRepository authorizedClientRepository, WebProperties properties) {
        this.authorizedClients = authorizedClients;
        this.registrationId = properties.registrationId();
        // Each task runs with the submitting request's security context and request (its session holds the token
        // the OAuth2 client adds); the thread is a virtual one, waiting on the API most of its life.
        this.concurrent = new SimpleAsyncTaskExecutor("api-call-");
        this.concurrent.setVirtualThreads(true);
        this.concurrent.setTaskDecorator(task -> {
            RequestAttributes request = RequestContextHolder.getRequestAttributes();
            Runnable asTheCaller = new DelegatingSecurityContextRunnable(task, SecurityContextHolder.getContext());
            return () -> {
                RequestContextHolder.setRequestAttributes(request);
                try {
                    asTheCaller.run();
                } finally {
                    RequestContextHolder.resetRequestAttributes();
                }
            };
        });
        // HTTP/1.1 with the body buffered, so every call carries a Content-Length: no h2c upgrade and no chunked
        // body for the gateway to pass on.
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(java.time.Duration.ofSeconds(5))
                .build();
        org.springframework.http.client.JdkClientHttpRequestFactory requests =
                new org.springframework.http.client.JdkClientHttpRequestFactory(http);
        requests.setReadTimeout(java.time.Duration.ofSeconds(30));
        // An API 401 (the token expired or was refused) forgets the token, so the next call asks for a sign-in
        // instead of sending the same token again for the rest of the 8-hour session.
        OAuth2ClientHttpRequestInterceptor withToken = new OAuth2ClientHttpRequestInterceptor(authorizedClients);
        withToken.setAuthorizationFailureHandler(
                OAuth2ClientHttpRequestInterceptor.authorizationFailureHandler(authorizedClientRepository));
        String signInAgain = properties.registrationId();
        this.client = builder.clone()
                .requestFactory(new org.springframework.http.client.BufferingClientHttpRequestFactory(requests))
                .baseUrl(properties.apiUrl().toString())
                .requestInterceptor(new UnreachableApi())
                .requestInterceptor(withToken)
                .defaultRequest(request -> request.attributes(clientRegistrationId(properties.registrationId())))
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                    if (response.getStatusCode().value() == 401) {
                        throw new ClientAuthorizationRequiredException(signInAgain);
                    }
                    throw ApiProblem.from(response.getStatusCode(), response.getHeaders(),
                            response.getBody().readAllBytes());
                })
                .build();
    }

    /**
     * An executor for calls that do not depend on each other, made on the request's thread: each call still goes
     * with the signed-in person's token. The token is made current here first, so a refresh that is due happens
     * once, on this thread (and a sign-in that is needed is asked for as for any call), not in several calls at once
     * racing to rotate the refresh token. Wait for every call before the request ends: the calls use its session.
     */
    public Executor concurrentCalls() {
        Authentication person = SecurityContextHolder.getContext().getAuthentication();
        if (person != null) {
            authorizedClients.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(registrationId)
                    .principal(person).build());
        }
        return concurrent;
    }

    /** The result of a call made on {@link #concurrentCalls()}, its refusal thrown as if the call were made here. */
    public static <T> T await(CompletableFuture<T> call) {
        try {
            return call.join();
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof RuntimeException refused) {
                throw refused;
            }
            throw failed;
        }
    }

    /** One JSON object. */
    public Map<String, Object> get(Function<UriBuilder, URI> uri) {
        return ApiObject.of(client.get().uri(uri).accept(MediaType.APPLICATION_JSON).retrieve().body(OBJECT));
    }

    /** One JSON object with its headers (an ETag, for a later If-Match). */
    public ResponseEntity<Map<String, Object>> getWithHeaders(Function<UriBuilder, URI> uri) {
        ResponseEntity<Map<String, Object>> answer = client.get().uri(uri).accept(MediaType.APPLICATION_JSON)
                .retrieve().toEntity(OBJECT);
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .body(ApiObject.of(answer.getBody()));
    }

    public Map<String, Object> get(String path, Object... variables) {
        return ApiObject.of(client.get().uri(path, variables).accept(MediaType.APPLICATION_JSON).retrieve()
                .body(OBJECT));
    }

    /** A JSON array. */
    public List<Map<String, Object>> list(Function<UriBuilder, URI> uri) {
        List<Map<String, Object>> body = client.get().uri(uri).accept(MediaType.APPLICATION_JSON).retrieve()
                .body(LIST);
        return body == null ? List.of() : ApiObject.wrapAll(body);
    }

    public List<Map<String, Object>> list(String path, Object... variables) {
        return list(builder -> builder.path(path).build(variables));
    }

    /** POST a JSON body; the answer's body (empty map when none) and headers. */
    public ResponseEntity<Map<String, Object>> post(String path, Object body, Object... variables) {
        return send(client.post().uri(path, variables), body, null);
    }

    /** POST with {@code If-Match}: the version the page showed, so a change made meanwhile is refused, not lost. */
    public ResponseEntity<Map<String, Object>> postIfMatch(String path, Object body, String ifMatch,
                                                           Object... variables) {
        return send(client.post().uri(path, variables), body, ifMatch);
    }

    /** POST with an {@code Idempotency-Key}, so that a double-click or a resend makes one thing, not two. */
    public ResponseEntity<Map<String, Object>> postWithKey(String path, Object body, String idempotencyKey,
                                                           Object... variables) {
        RestClient.RequestBodySpec request = client.post().uri(path, variables);
        if (idempotencyKey != null && !idempotencyKey.isBlank()) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request, body, null);
    }

    public ResponseEntity<Map<String, Object>> put(String path, Object body, Object... variables) {
        return send(client.put().uri(path, variables), body, null);
    }

    public ResponseEntity<Map<String, Object>> patch(String path, Object body, Object... variables) {
        return send(client.patch().uri(path, variables), body, null);
    }

    /** PATCH with {@code If-Match}: the version the page showed, so a change made meanwhile is refused, not lost. */
    public ResponseEntity<Map<String, Object>> patchIfMatch(String path, Object body, String ifMatch,
                                                            Object... variables) {
        return send(client.patch().uri(path, variables), body, ifMatch);
    }

    public void delete(String path, Object... variables) {
        client.delete().uri(path, variables).retrieve().toBodilessEntity();
    }

    private static ResponseEntity<Map<String, Object>> send(RestClient.RequestBodySpec request, Object body,
                                                           String ifMatch) {
        request.accept(MediaType.APPLICATION_JSON);
        if (ifMatch != null) {
            request.header(HttpHeaders.IF_MATCH, ifMatch);
        }
        if (body != null) {
            request.contentType(MediaType.APPLICATION_JSON).body(body);
        }
        ResponseEntity<Map<String, Object>> answer = request.retrieve().toEntity(OBJECT);
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .body(ApiObject.of(answer.getBody()));
    }

    /** The detail of a problem the API answered, for a page to show beside the form that caused it. */
    public static String detailOf(ProblemDetail problem) {
        return problem.getDetail() == null ? problem.getTitle() : problem.getDetail();
    }
}
