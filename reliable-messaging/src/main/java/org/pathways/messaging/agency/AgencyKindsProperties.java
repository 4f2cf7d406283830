package org.pathways.messaging.agency;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param collection the service's own collection for the read model (services that kept agency kinds before the
 *                   shared read model name their existing collection, so that what they learnt is kept)
 */
@ConfigurationProperties("pathways.agency-kinds")
public record AgencyKindsProperties(@DefaultValue("agency-kinds") String collection) {
}
