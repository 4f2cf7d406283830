package org.pathways.platform.http;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of every service's HTTP edge.
 *
 * @param maxRequestBody the largest request body accepted, declared ({@code Content-Length}) or streamed
 *                       ({@code Transfer-Encoding: chunked}); larger is a 413 problem before any controller runs
 * @param largerRequestBodies paths that take larger uploads (a Spring path pattern, in YAML as
 *                       {@code "[/api/hsds/imports]": 100MB}) with their limit; such a body must declare its length
 */
@ConfigurationProperties("pathways.http")
public record HttpEdgeProperties(@DefaultValue("1MB") DataSize maxRequestBody,
                                 @DefaultValue Map<String, DataSize> largerRequestBodies) {

    /** The larger limits in bytes, by path pattern. */
    public Map<String, Long> largerLimitsInBytes() {
        Map<String, Long> bytes = new LinkedHashMap<>();
        largerRequestBodies.forEach((path, size) -> bytes.put(path, size.toBytes()));
        return bytes;
    }
}
