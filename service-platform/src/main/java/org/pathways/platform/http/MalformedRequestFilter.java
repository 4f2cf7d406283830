package org.pathways.platform.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import org.pathways.platform.problem.ProblemResponses;

/**
 * Refuses a query string that is not well-formed before anything reads it: a {@code %} not followed by two hex
 * digits ({@code ?cursor=%%%}), bytes that are not UTF-8, or a NUL ({@code %00}). Tomcat would otherwise throw when
 * the first filter or controller asks for a parameter, which surfaced as a 500 in a service and, at the gateway,
 * as a failure of the route's circuit breaker. Paths are checked by Tomcat itself (its refusals are problem details
 * too, see {@link ProblemErrorReportValve}).
 */
public class MalformedRequestFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(MalformedRequestFilter.class);

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String query = request.getQueryString();
        if (query != null && !wellFormed(query)) {
            log.debug("Malformed query string refused");
            ProblemResponses.write(response, HttpStatus.BAD_REQUEST, "malformed-request",
                    "The query string is not valid percent-encoded UTF-8.");
            return;
        }
        chain.doFilter(request, response);
    }

    /** Whether every name and value of {@code query} decodes strictly, as UTF-8 without NUL. */
    static boolean wellFormed(String query) {
        ByteBuffer bytes = ByteBuffer.allocate(query.length());
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '%') {
                if (i + 2 >= query.length() || !HexFormat.isHexDigit(query.charAt(i + 1))
                        || !HexFormat.isHexDigit(query.charAt(i + 2))) {
                    return false;
                }
                bytes.put((byte) HexFormat.fromHexDigits(query, i + 1, i + 3));
                i += 2;
            } else {
                bytes.put((byte) c); // Tomcat refuses raw bytes outside ASCII in the request line already
            }
        }
        bytes.flip();
        try {
            CharSequence decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return decoded.chars().noneMatch(ch -> ch == 0);
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
