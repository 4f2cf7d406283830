package org.pathways.platform.tracing;

import java.net.URI;
import java.net.URISyntaxException;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;

/**
 * HTTP observations name the address without its query: a learner search ({@code GET /api/learners?q=…}) carries a
 * name or a date of birth in its query, and an agency's webhook address may carry a token in its own. Spring's
 * client observations put the full address in {@code http.url}, which becomes a tag of the span every trace viewer
 * shows, and the address as called in {@code uri} (a metric's tag) when the caller built it by hand rather than from a
 * template. This keeps the scheme, host, port and path, and drops the query, the fragment and any user-info, from
 * every observation's {@code http.url} and {@code uri}, before its handlers (tracing, metrics) see them.
 */
public final class AddressesWithoutQueries implements ObservationFilter {

    static final String URL = "http.url";
    static final String URI_TAG = "uri";

    @Override
    public Observation.Context map(Observation.Context context) {
        KeyValue url = context.getHighCardinalityKeyValue(URL);
        if (url != null && needsCleaning(url.getValue())) {
            context.addHighCardinalityKeyValue(KeyValue.of(URL, withoutQuery(url.getValue())));
        }
        KeyValue uri = context.getLowCardinalityKeyValue(URI_TAG);
        if (uri != null && needsCleaning(uri.getValue())) {
            context.addLowCardinalityKeyValue(KeyValue.of(URI_TAG, withoutQuery(uri.getValue())));
        }
        return context;
    }

    private static boolean needsCleaning(String address) {
        return address.indexOf('?') >= 0 || address.indexOf('#') >= 0 || address.indexOf('@') >= 0;
    }

    /** The address up to its query or fragment, without user-info; an address that does not parse, cut at '?'. */
    static String withoutQuery(String address) {
        try {
            URI parsed = new URI(address);
            if (parsed.isOpaque() || (parsed.getRawAuthority() != null && parsed.getHost() == null)) {
                return cut(address);
            }
            StringBuilder kept = new StringBuilder();
            if (parsed.getScheme() != null) {
                kept.append(parsed.getScheme()).append(':');
            }
            if (parsed.getHost() != null) {
                kept.append("//").append(parsed.getHost());
                if (parsed.getPort() >= 0) {
                    kept.append(':').append(parsed.getPort());
                }
            }
            return kept.append(parsed.getRawPath() == null ? "" : parsed.getRawPath()).toString();
        } catch (URISyntaxException e) {
            return cut(address);
        }
    }

    private static String cut(String address) {
        int end = address.length();
        for (char stop : new char[] {'?', '#'}) {
            int at = address.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        String cut = address.substring(0, end);
        int scheme = cut.indexOf("://");
        int userInfo = cut.indexOf('@');
        if (scheme >= 0 && userInfo > scheme) {
            int pathStart = cut.indexOf('/', scheme + 3);
            if (pathStart < 0 || userInfo < pathStart) {
                cut = cut.substring(0, scheme + 3) + cut.substring(userInfo + 1);
            }
        }
        return cut;
    }
}
