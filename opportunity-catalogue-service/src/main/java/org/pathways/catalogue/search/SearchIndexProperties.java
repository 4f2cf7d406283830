package org.pathways.catalogue.search;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where this instance keeps its search index ({@code pathways.catalogue.search.*}).
 *
 * @param directory   the index directory, one per instance ({@code memory}: in memory, rebuilt at every start)
 * @param reconcileEvery how often the index is compared with the store as a safety net (the topics and this
 *                    instance's own saves keep it current in between)
 */
@ConfigurationProperties("pathways.catalogue.search")
public record SearchIndexProperties(@DefaultValue("data/opportunity-catalogue/search-index") String directory,
                                    @DefaultValue("PT5M") Duration reconcileEvery) {

    public boolean inMemory() {
        return "memory".equals(directory);
    }
}
