package org.pathways.web.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The API not answering at all (the gateway down or restarting, a connection refused or reset, no answer within the
 * read timeout) is answered as the gateway answers a service it cannot reach: {@code 503} with a problem, so that
 * every page and form meets it as a refusal it already handles ("try again in a moment", the form kept as written
 * with its key) rather than as an error page that loses what the worker typed.
 */
final class UnreachableApi implements ClientHttpRequestInterceptor {

    private static final Logger log = LoggerFactory.getLogger(UnreachableApi.class);
    private static final byte[] PROBLEM = """
            {"type":"urn:pathways:problem:service-unavailable","title":"Service Unavailable","status":503,\
            "detail":"The platform did not answer. Nothing was lost: try again in a moment."}"""
            .getBytes(StandardCharsets.UTF_8);

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        try {
            return execution.execute(request, body);
        } catch (IOException unreachable) {
            // The path only: ids, never a query's words or a body.
            log.warn("The API did not answer {} {}: {}", request.getMethod(), request.getURI().getPath(),
                    unreachable.toString());
            return new Unavailable();
        }
    }

    private static final class Unavailable implements ClientHttpResponse {

        @Override
        public HttpStatusCode getStatusCode() {
            return HttpStatus.SERVICE_UNAVAILABLE;
        }

        @Override
        public String getStatusText() {
            return HttpStatus.SERVICE_UNAVAILABLE.getReasonPhrase();
        }

        @Override
        public HttpHeaders getHeaders() {
            HttpHeaders headers = new HttpHeaders();
            headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            return headers;
        }

        @Override
        public InputStream getBody() {
            return new ByteArrayInputStream(PROBLEM);
        }

        @Override
        public void close() {
        }
    }
}
