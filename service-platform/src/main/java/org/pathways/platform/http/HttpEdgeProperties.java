package org.pathways.platform.http;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of every service's HTTP edge.
 *
 * @param maxRequestBody the largest request body accepted, declared ({@code Content-Length}) or streamed
 *                       ({@code Transfer-Encoding: chunked}); larger is a 413 problem before any controller runs
 */
@ConfigurationProperties("pathways.http")
public record HttpEdgeProperties(@DefaultValue("1MB") DataSize maxRequestBody) {
}
