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
 * @param refreshEvery how soon a change nobody waits for (from the topics, a batch of place changes) becomes
 *                    searchable: the searcher is reopened at most this often for them, each reopen writing a small
 *                    segment for Lucene to merge later (a change saved through the API is searchable at once)
 */
@ConfigurationProperties("pathways.catalogue.search")
public record SearchIndexProperties(@DefaultValue("data/opportunity-catalogue/search-index") String directory,
                                    @DefaultValue("PT5M") Duration reconcileEvery,
                                    @DefaultValue("PT1S") Duration refreshEvery) {

    public boolean inMemory() {
        return "memory".equals(directory);
    }
}
