package org.pathways.catalogue.hsds;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How much of the service an import may take while it is read ({@code pathways.catalogue.hsds.imports.*}), see
 * {@link ImportAdmission}.
 *
 * @param heapPercent the share of the heap ({@code -Xmx}) one import may hold while it is read
 * @param memory      that memory in bytes instead of a share (for a test, or a deployment that knows better)
 * @param waitForTurn how long an import waits for the one before it to be read before it is answered 503
 */
@ConfigurationProperties("pathways.catalogue.hsds.imports")
record ImportLimits(@DefaultValue("40") int heapPercent, DataSize memory,
                    @DefaultValue("2s") Duration waitForTurn) {
}
