package org.pathways.catalogue.search;

import java.util.Collection;
import java.util.List;

import org.pathways.catalogue.opportunity.Opportunity;

/**
 * The catalogue's search engine, as search and matching see it: a port with one adapter here
 * ({@link LuceneOpportunitySearch}, an index per instance) and room for another (a search cluster such as
 * OpenSearch, shared by every instance; see the module's docs). The engine holds only what may be listed:
 * published or full opportunities of providers that may be shown (not a pending agency's).
 *
 * <p>Keeping it current is the adapter's business, told by {@link #follow(String)} and
 * {@link #followProvider(String)} whenever the catalogue changes (this instance's saves, and every instance's through
 * the opportunity and agency topics), and by {@link #reconcile()} against the store.
 */
public interface OpportunitySearch {

    /** One page of results with facet counts over the whole result set. */
    SearchResults search(SearchCriteria criteria);

    /** At most {@code limit} opportunities relevant to a learner's needs, the most relevant first (for matching). */
    List<Opportunity> candidates(CandidateQuery query);

    /**
     * Brings the engine in line with the stored opportunity {@code id} (listed, changed, unlisted or gone); searches
     * see it when this returns (this instance's own saves).
     */
    void follow(String opportunityId);

    /** As {@link #follow(String)}, for several at once (a batch of changes): searches see them all when it returns. */
    void follow(Collection<String> opportunityIds);

    /** As {@link #follow}, visible within moments rather than at once (changes from the topics, in batches). */
    void followSoon(String opportunityId);

    /** As {@link #followSoon(String)}, for several at once (a poll of changes from the topics). */
    void followSoon(Collection<String> opportunityIds);

    /** Brings every opportunity of {@code agencyId} in line (the agency was approved, or changed). */
    void followProvider(String agencyId);

    /** Compares the engine with the store and fixes every difference; returns what it changed. */
    Reconciliation reconcile();

    /**
     * What matching asks for: opportunities sharing a word (stemmed, or nearly) with a goal; without goals, those in
     * the locality, with a venue within reach of the point, or online; everything listed when none is given.
     */
    record CandidateQuery(List<String> goals, String locality, SearchCriteria.Point near, double withinKm,
                          int limit) {
    }

    /** {@code indexed}: added or replaced; {@code removed}: no longer listed or gone; {@code listed}: now held. */
    record Reconciliation(int indexed, int removed, int listed) {
    }
}
