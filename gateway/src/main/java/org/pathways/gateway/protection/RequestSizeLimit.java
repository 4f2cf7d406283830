package org.pathways.gateway.protection;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.pathways.platform.problem.ProblemResponses;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request whose declared body is larger than the limit with 413 problem details, before it is read or
 * forwarded. Bodies without a declared length are bounded by the server's own limits.
 */
public class RequestSizeLimit extends OncePerRequestFilter implements Ordered {

    private final long maxBytes;

    public RequestSizeLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            ProblemResponses.write(response, HttpStatus.CONTENT_TOO_LARGE, "payload-too-large",
                    "The request body is larger than " + maxBytes + " bytes.");
            return;
        }
        chain.doFilter(request, response);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }
}
