package org.pathways.catalogue.hsds;

import java.net.URI;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What the HSDS API's root ({@code GET /api/hsds}) tells a client about the API ({@code pathways.catalogue.hsds.*}).
 * The catalogue follows HSDS 3.0 itself, its own codes carried in the standard's attributes and taxonomies (no
 * profile changes a schema), so by default both name the standard's own documents; a deployment that publishes a
 * description of its own points them there.
 *
 * @param profile    the HSDS profile this API conforms to ({@code profile})
 * @param openapiUrl the OpenAPI document that defines this API ({@code openapi_url})
 */
@ConfigurationProperties("pathways.catalogue.hsds")
record HsdsProperties(
        @DefaultValue("https://github.com/openreferral/specification/tree/v3.0") URI profile,
        @DefaultValue("https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json")
        URI openapiUrl) {
}
