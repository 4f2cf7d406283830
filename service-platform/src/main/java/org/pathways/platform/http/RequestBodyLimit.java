package org.pathways.platform.http;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

import org.pathways.platform.problem.ProblemResponses;

/**
 * Refuses a request body larger than the limit with a 413 problem before anything reads it: at once when its
 * declared length says so, and for a streamed body ({@code Transfer-Encoding: chunked}, no length declared) after
 * reading at most one byte more than the limit, so that neither a service nor the gateway ever holds or forwards
 * more. A body within the limit is read in full here and passed on from memory, with its length known: a caller
 * who sends it slowly keeps only their own request waiting, never the gateway's call to a service (whose circuit
 * breaker would count the wait as the service's failure).
 */
public class RequestBodyLimit extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RequestBodyLimit.class);

    private final long maxBytes;
    private final Map<PathPattern, Long> largerLimits;
    private final boolean uploadsDeclareLength;

    public RequestBodyLimit(long maxBytes) {
        this(maxBytes, Map.of());
    }

    /** As {@link #RequestBodyLimit(long, Map, boolean)}, for a service: uploads may come streamed from the gateway. */
    public RequestBodyLimit(long maxBytes, Map<String, Long> largerLimits) {
        this(maxBytes, largerLimits, false);
    }

    /**
     * @param largerLimits paths (Spring path patterns, e.g. {@code /api/hsds/imports}) that take larger bodies, with
     *                     their limit: an upload such as an HSDS feed, streamed on rather than read into memory
     * @param uploadsDeclareLength whether such an upload must declare its length (a chunked one is a 411 problem): at
     *                     the gateway, the edge; a service behind it takes what the gateway streams on (chunked)
     */
    public RequestBodyLimit(long maxBytes, Map<String, Long> largerLimits, boolean uploadsDeclareLength) {
        this.maxBytes = maxBytes;
        this.uploadsDeclareLength = uploadsDeclareLength;
        Map<PathPattern, Long> parsed = new LinkedHashMap<>();
        largerLimits.forEach((pattern, limit) -> parsed.put(PathPatternParser.defaultInstance.parse(pattern), limit));
        this.largerLimits = Map.copyOf(parsed);
    }

    public long maxBytes() {
        return maxBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        Long larger = largerLimitOf(request);
        if (larger != null) {
            if (declared > larger) {
                tooLarge(response, larger);
            } else if (uploadsDeclareLength && declared < 0 && streamed(request)) {
                log.debug("Streamed upload without a declared length refused");
                response.setHeader("Connection", "close");
                ProblemResponses.write(response, HttpStatus.LENGTH_REQUIRED, "length-required",
                        "An upload here must declare its length (Content-Length); it may be up to " + larger
                                + " bytes.");
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        if (declared > maxBytes) {
            tooLarge(response);
            return;
        }
        if ((declared <= 0 && !streamed(request)) || form(request)) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = request.getInputStream().readNBytes(Math.toIntExact(Math.min(maxBytes + 1, Integer.MAX_VALUE)));
        if (body.length > maxBytes) {
            tooLarge(response);
            return;
        }
        chain.doFilter(new ReadBody(request, body), response);
    }

    /**
     * A form POSTed is left to Tomcat, which reads it into the request's parameters (the identity-service's sign-in
     * and token endpoints, the web app's forms) and bounds it itself ({@code server.tomcat.max-http-form-post-size}),
     * streamed or not. Nothing else is: a form PUT, PATCHed or DELETEd is read by Spring's form filter, whole and
     * unbounded, before Spring Security, and a multipart body anywhere but a path with a larger limit (the catalogue's
     * imports) would be streamed or parsed unbounded too: both are bounded here like any other body.
     */
    private static boolean form(HttpServletRequest request) {
        String type = request.getContentType();
        if (!"POST".equals(request.getMethod()) || type == null) {
            return false;
        }
        // Exactly the bodies Tomcat parses into parameters (and so bounds): the type without its parameters, trimmed,
        // compared as Tomcat compares it, case and all. Anything else it would not read, so it is bounded here.
        int parameters = type.indexOf(';');
        return (parameters < 0 ? type : type.substring(0, parameters)).trim()
                .equals("application/x-www-form-urlencoded");
    }

    private static boolean streamed(HttpServletRequest request) {
        String encoding = request.getHeader("Transfer-Encoding");
        return encoding != null && !encoding.isBlank();
    }

    private Long largerLimitOf(HttpServletRequest request) {
        if (largerLimits.isEmpty()) {
            return null;
        }
        PathContainer path = PathContainer.parsePath(request.getRequestURI());
        for (Map.Entry<PathPattern, Long> entry : largerLimits.entrySet()) {
            if (entry.getKey().matches(path)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private void tooLarge(HttpServletResponse response) throws IOException {
        tooLarge(response, maxBytes);
    }

    private static void tooLarge(HttpServletResponse response, long limit) throws IOException {
        log.debug("Request body over {} bytes refused", limit);
        // Tomcat closes the connection rather than read on what the caller keeps sending.
        response.setHeader("Connection", "close");
        ProblemResponses.write(response, HttpStatus.CONTENT_TOO_LARGE, "payload-too-large",
                "The request body is larger than " + limit + " bytes.");
    }

    /** The request with a body already read in full: its length is known and it is read from memory. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public String getHeader(String name) {
            if ("Transfer-Encoding".equalsIgnoreCase(name)) {
                return null;
            }
            if ("Content-Length".equalsIgnoreCase(name)) {
                return Integer.toString(body.length);
            }
            return super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String value = getHeader(name);
            if ("Transfer-Encoding".equalsIgnoreCase(name) || "Content-Length".equalsIgnoreCase(name)) {
                return Collections.enumeration(value == null ? List.of() : List.of(value));
            }
            return super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            Set<String> names = new LinkedHashSet<>();
            for (String name : Collections.list(super.getHeaderNames())) {
                if (!"Transfer-Encoding".equalsIgnoreCase(name)) {
                    names.add(name);
                }
            }
            names.add("Content-Length");
            return Collections.enumeration(names);
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("The body has been read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
        }
    }
}
