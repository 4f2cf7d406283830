package org.pathways.catalogue.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LatLonDocValuesField;
import org.apache.lucene.document.LatLonPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.facet.FacetResult;
import org.apache.lucene.facet.FacetsCollector;
import org.apache.lucene.facet.FacetsCollectorManager;
import org.apache.lucene.facet.FacetsConfig;
import org.apache.lucene.facet.LabelAndValue;
import org.apache.lucene.facet.sortedset.DefaultSortedSetDocValuesReaderState;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetCounts;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetField;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesReaderState;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.CombinedFieldQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.ControlledRealTimeReopenThread;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.bson.BsonBinaryReader;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.DocumentCodec;
import org.pathways.catalogue.agency.PendingAgencies;
import org.pathways.catalogue.opportunity.DeliveryMode;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.OpportunityView;
import org.pathways.catalogue.opportunity.Venue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.stereotype.Component;

/**
 * The catalogue's search on an Apache Lucene index of its own, one per instance (a directory on local disk, or in
 * memory). BM25 ranking over title (weight 3), subject terms (2) and description (1), combined as BM25F, analysed as English (stemmed)
 * and, for opportunities taught in Welsh, also as Welsh ({@link CatalogueAnalyzers}); every query word also matches
 * terms within one edit (words of 4–7 letters) or two (8 or more), for a small constant below any real match, so a
 * typo still finds. Filters
 * are exact terms, point ranges and a geo distance ({@link LatLonPoint}); distance sorts by the nearest venue
 * ({@link LatLonDocValuesField}); facets count the whole result set (sorted-set doc values); pages continue after the
 * last item's sort values ({@link SearchCursor}). Each document stores the opportunity as the store holds it, so a
 * page is answered without reading MongoDB.
 *
 * <p>Only listed opportunities (published or full) of providers that may be shown are held: an opportunity that is
 * withdrawn, ended or deleted, or whose agency is still pending approval, is removed (or never added). Every change
 * is applied under one lock after re-reading the stored opportunity, so the newest stored state always wins,
 * whatever the order in which changes are reported; the searcher is refreshed before the change returns.
 *
 * <p>The commit carries {@link #SCHEMA}: an index written with other fields or analysis is rebuilt from scratch at
 * start; otherwise {@link #reconcile()} compares each held version with the store's and fixes what differs.
 */
@Component
class LuceneOpportunitySearch implements OpportunitySearch, DisposableBean {

    /** Bump when fields or analysis change: an index of another schema is rebuilt at start. */
    static final String SCHEMA = "2";
    static final String COLLECTION = "opportunities";
    private static final Logger log = LoggerFactory.getLogger(LuceneOpportunitySearch.class);

    private static final String ID = "id";
    private static final String VERSION = "version";
    private static final String PUBLISHED = "publishedAt";
    private static final String PROVIDER = "provider";
    private static final String STATUS = "status";
    private static final String KIND = "kind";
    private static final String LEVEL = "level";
    private static final String LANGUAGE = "language";
    private static final String ACCESSIBILITY = "accessibility";
    private static final String LOCALITY = "locality";
    private static final String FREE = "free";
    private static final String MODE = "mode";
    private static final String STARTS = "startsOn";
    private static final String GEO = "venue";
    private static final String SOURCE = "source";
    private static final String TITLE = "title";
    private static final String TERMS = "terms";
    private static final String DESCRIPTION = "description";
    /** All the text, lower-cased and folded but not stemmed: what near spellings are looked for in. */
    private static final String WORDS = "words";
    private static final Map<String, Float> TEXT_BOOSTS = Map.of(TITLE, 3f, TERMS, 2f, DESCRIPTION, 1f);
    private static final float FUZZY_WEIGHT = 0.3f;
    private static final float WELSH_WEIGHT = 0.9f;
    private static final int MAX_QUERY_WORDS = 12;
    static final List<String> FACETS = List.of(KIND, LEVEL, LOCALITY, LANGUAGE, ACCESSIBILITY);
    private static final int FACET_VALUES = 50;
    private static final Set<String> EXCLUDED_FROM_SOURCE = Set.of("outbox", "placeChangesInFlight");

    private final MongoTemplate mongo;
    /** Whose opportunities are not listed yet: the agencies a platform administrator has not approved. */
    private final PendingAgencies pendingAgencies;
    private final Analyzer english = CatalogueAnalyzers.english();
    private final Analyzer welsh = CatalogueAnalyzers.welsh();
    private final Analyzer plain = CatalogueAnalyzers.plain();
    private final FacetsConfig facetsConfig = new FacetsConfig();
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    /**
     * The version of each opportunity this instance indexed since it started, and the index generation that wrote it
     * (a skip list, not the truth).
     */
    private final Map<String, Indexed> indexedVersions = new java.util.concurrent.ConcurrentHashMap<>();

    /** An opportunity's version as indexed, by the writer's generation {@code generation}. */
    private record Indexed(long version, long generation) {
    }
    private final ControlledRealTimeReopenThread<IndexSearcher> reopener;
    private final Object changes = new Object();
    private volatile FacetState facetState;
    private static final int DECODED = 10_000;
    private static final int PAGE = 1_000;
    /** Opportunities decoded from the index, by id and version, least recently used dropped first. */
    private final Map<String, Opportunity> decoded = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Opportunity> eldest) {
                    return size() > DECODED;
                }
            });

    LuceneOpportunitySearch(MongoTemplate mongo, PendingAgencies pendingAgencies, SearchIndexProperties properties)
            throws IOException {
        this.mongo = mongo;
        this.pendingAgencies = pendingAgencies;
        for (String dimension : List.of(LOCALITY, LANGUAGE, ACCESSIBILITY)) {
            facetsConfig.setMultiValued(dimension, true);
        }
        this.directory = open(properties);
        boolean current;
        try {
            current = DirectoryReader.indexExists(directory)
                    && SCHEMA.equals(SegmentInfos.readLatestCommit(directory).getUserData().get("schema"));
        } catch (IOException unreadable) {
            log.warn("Search index {} is unreadable ({}); starting a new one", describe(properties),
                    unreadable.toString());
            current = false;
        }
        IndexWriterConfig config = new IndexWriterConfig(
                CatalogueAnalyzers.perField(english, welsh, TEXT_BOOSTS.keySet(), Map.of(WORDS, plain)))
                .setOpenMode(current ? IndexWriterConfig.OpenMode.CREATE_OR_APPEND : IndexWriterConfig.OpenMode.CREATE)
                // Newest first, as every query's last keys: a hit that only ties the page's last (same score, or no
                // score) is then never competitive, so the top of the page is settled after a few documents instead
                // of being copied over (with its id) at every newer hit.
                .setIndexSort(new Sort(new SortField(PUBLISHED, SortField.Type.LONG, true),
                        new SortField(ID, SortField.Type.STRING)));
        this.writer = new IndexWriter(directory, config);
        writer.setLiveCommitData(Map.of("schema", SCHEMA).entrySet());
        if (!current) {
            log.info("Search index {}: starting a new one (none, or of another schema)", describe(properties));
            writer.commit();
        }
        this.searchers = new SearcherManager(writer, new SearcherFactory());
        // Changes from the topics become visible within 100 ms, in batches; a change someone waits for, at once.
        this.reopener = new ControlledRealTimeReopenThread<>(writer, searchers, 0.1, 0.0);
        reopener.setName("search-index-reopen");
        reopener.setDaemon(true);
        reopener.start();
    }

    private static Directory open(SearchIndexProperties properties) throws IOException {
        if (properties.inMemory()) {
            return new ByteBuffersDirectory();
        }
        Path path = Path.of(properties.directory()).toAbsolutePath();
        Files.createDirectories(path);
        Directory directory = FSDirectory.open(path);
        try {
            directory.obtainLock(IndexWriter.WRITE_LOCK_NAME).close();
            return directory;
        } catch (LockObtainFailedException held) {
            // Another process on this host keeps its index there: this instance keeps its own, rebuilt from the store.
            directory.close();
            Path own = Files.createTempDirectory("catalogue-search-index");
            log.warn("Search index {} is in use by another process; this instance indexes in {} instead", path, own);
            return FSDirectory.open(own);
        }
    }

    private static String describe(SearchIndexProperties properties) {
        return properties.inMemory() ? "in memory" : properties.directory();
    }

    // ---------------------------------------------------------------------------------------------- keeping it

    @Override
    public void follow(String opportunityId) {
        follow(List.of(opportunityId));
    }

    @Override
    public void follow(java.util.Collection<String> opportunityIds) {
        long generation = applyStored(opportunityIds);
        if (generation >= 0) {
            visible(generation);
        }
    }

    @Override
    public void followSoon(String opportunityId) {
        followSoon(List.of(opportunityId));
    }

    @Override
    public void followSoon(java.util.Collection<String> opportunityIds) {
        applyStored(opportunityIds);
    }

    /**
     * Applies the stored state of each of {@code ids}, read with one {@code $in} by {@code _id} (and their providers'
     * approval with one more), under the lock; returns the newest generation to wait for (that of a version indexed
     * already, if so), or -1 when there is none.
     */
    private long applyStored(java.util.Collection<String> ids) {
        Set<String> wanted = new java.util.LinkedHashSet<>(ids);
        if (wanted.isEmpty()) {
            return -1;
        }
        long generation = -1;
        synchronized (changes) {
            Map<String, Document> found = new HashMap<>();
            Criteria byId = wanted.size() == 1 ? Criteria.where("_id").is(wanted.iterator().next())
                    : Criteria.where("_id").in(wanted);
            mongo.find(stored(byId), Document.class, COLLECTION).forEach(d -> found.put(d.getString("_id"), d));
            Set<String> pending = pendingAgencies.among(found.values().stream()
                    .map(d -> d.getString("providerAgencyId")).filter(java.util.Objects::nonNull)
                    .collect(java.util.stream.Collectors.toSet()));
            for (String id : wanted) {
                generation = Math.max(generation, apply(id, found.get(id), pending::contains));
            }
        }
        return generation;
    }

    /** Waits until searches see the change of {@code generation} (the reopen thread refreshes at once for it). */
    private void visible(long generation) {
        try {
            reopener.waitForGeneration(generation);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void followProvider(String agencyId) {
        synchronized (changes) {
            boolean pending = pendingAgencies.is(agencyId);
            try (Stream<Document> all = mongo.stream(stored(Criteria.where("providerAgencyId").is(agencyId)
                    .and("status").in(OpportunityStatus.PUBLISHED, OpportunityStatus.FULL)), Document.class,
                    COLLECTION)) {
                all.forEach(stored -> apply(stored.getString("_id"), stored, agency -> pending));
            }
        }
    }

    /**
     * Reads every listed opportunity's id and version from the store (without holding up changes meanwhile), then
     * applies what differs from the index: each one re-read under the lock, so a change followed in between is
     * never undone; when more than 1,000 differ (a new or long-closed index), one pass over the store under the lock.
     */
    @Override
    public Reconciliation reconcile() {
        Set<String> pending = pendingAgencies.all();
        Map<String, Long> expected = new HashMap<>();
        inPages(Criteria.where("status").in(OpportunityStatus.PUBLISHED, OpportunityStatus.FULL),
                List.of("_id", "version", "providerAgencyId"), d -> {
                    if (!pending.contains(d.getString("providerAgencyId")) && d.get("version") instanceof Number v) {
                        expected.put(String.valueOf(d.get("_id")), v.longValue());
                    }
                });
        Map<String, Long> held = heldVersions();
        Set<String> stale = new HashSet<>();
        expected.forEach((id, version) -> {
            if (!version.equals(held.get(id))) {
                stale.add(id);
            }
        });
        Set<String> gone = new HashSet<>(held.keySet());
        gone.removeAll(expected.keySet());
        if (stale.size() > 1000) {
            // Many to catch up: one pass over the store rather than one read each.
            synchronized (changes) {
                inPages(Criteria.where("status").in(OpportunityStatus.PUBLISHED, OpportunityStatus.FULL), null,
                        stored -> {
                            if (stale.contains(stored.getString("_id"))) {
                                apply(stored.getString("_id"), stored, pending::contains);
                            }
                        });
            }
        } else {
            stale.forEach(this::reread);
        }
        gone.forEach(this::reread);
        synchronized (changes) {
            commit();
        }
        refresh();
        return new Reconciliation(stale.size(), gone.size(), expected.size());
    }

    /**
     * Every stored opportunity matching {@code criteria}, in pages of {@value #PAGE} in {@code _id} order (each read
     * after the last id, served by the {@code _id} index): a single cursor over the whole collection would be one
     * reply too large for the embedded store, which ignores batch sizes.
     */
    private void inPages(Criteria criteria, List<String> only, Consumer<Document> each) {
        String after = null;
        while (true) {
            Criteria page = after == null ? criteria
                    : new Criteria().andOperator(criteria, Criteria.where("_id").gt(after));
            org.springframework.data.mongodb.core.query.Query query = only == null ? stored(page)
                    : org.springframework.data.mongodb.core.query.Query.query(page);
            if (only != null) {
                only.forEach(field -> query.fields().include(field));
            }
            query.with(org.springframework.data.domain.Sort.by("_id")).limit(PAGE);
            List<Document> found = mongo.find(query, Document.class, COLLECTION);
            found.forEach(each);
            if (found.size() < PAGE) {
                return;
            }
            after = found.getLast().getString("_id");
        }
    }

    private void reread(String id) {
        synchronized (changes) {
            long ignored = apply(id, mongo.findOne(stored(Criteria.where("_id").is(id)), Document.class, COLLECTION),
                    pendingAgencies::is);
        }
    }

    /** A store query for opportunities as the index keeps them: without the outbox and the ended referrals. */
    private static org.springframework.data.mongodb.core.query.Query stored(Criteria criteria) {
        org.springframework.data.mongodb.core.query.Query query = org.springframework.data.mongodb.core.query.Query
                .query(criteria);
        EXCLUDED_FROM_SOURCE.forEach(field -> query.fields().exclude(field));
        return query;
    }

    /** Applies the stored state of one opportunity: indexed when listed and shown, removed otherwise. */
    long apply(String id, Document stored, java.util.function.Predicate<String> pendingAgency) {
        try {
            if (stored == null) {
                return delete(id);
            }
            EXCLUDED_FROM_SOURCE.forEach(stored::remove);
            stored.remove("_class");
            Opportunity opportunity = mongo.getConverter().read(Opportunity.class, stored);
            if (!opportunity.status().isListed() || opportunity.version() == null
                    || pendingAgency.test(opportunity.providerAgencyId())) {
                return delete(id);
            }
            Indexed already = indexedVersions.get(id);
            if (already != null && already.version() == opportunity.version()) {
                // Already indexed as it is (this instance's own save, then the same change from the topic): an
                // update would change nothing but the index's term statistics, shifting scores under a reader's
                // text cursor between two pages. Its generation, though: the topic's follower may have indexed it
                // (from the stored state, newer than its event) without waiting for it to be searchable, and the
                // save that waits must still wait for that.
                return already.generation();
            }
            long generation = writer.updateDocument(new Term(ID, id),
                    facetsConfig.build(document(opportunity, stored)));
            indexedVersions.put(id, new Indexed(opportunity.version(), generation));
            return generation;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long delete(String id) {
        try {
            indexedVersions.remove(id);
            return writer.deleteDocuments(new Term(ID, id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void refresh() {
        try {
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes what was applied durable (the next start then only reconciles what changed meanwhile). */
    void commit() {
        try {
            if (writer.hasUncommittedChanges()) {
                writer.commit();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Long> heldVersions() {
        Map<String, Long> held = new HashMap<>();
        IndexSearcher searcher = acquire();
        try {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                SortedDocValues ids = leaf.reader().getSortedDocValues(ID);
                NumericDocValues versions = leaf.reader().getNumericDocValues(VERSION);
                Bits live = leaf.reader().getLiveDocs();
                if (ids == null || versions == null) {
                    continue;
                }
                for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
                    if ((live == null || live.get(doc)) && ids.advanceExact(doc) && versions.advanceExact(doc)) {
                        held.put(ids.lookupOrd(ids.ordValue()).utf8ToString(), versions.longValue());
                    }
                }
            }
            return held;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            release(searcher);
        }
    }

    private org.apache.lucene.document.Document document(Opportunity o, Document stored) {
        org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
        doc.add(new StringField(ID, o.id(), Field.Store.NO));
        doc.add(new SortedDocValuesField(ID, new BytesRef(o.id())));
        doc.add(new NumericDocValuesField(VERSION, o.version()));
        doc.add(new NumericDocValuesField(PUBLISHED, o.publishedAt() == null ? 0 : o.publishedAt().toEpochMilli()));
        doc.add(new StringField(PROVIDER, o.providerAgencyId(), Field.Store.NO));
        doc.add(new StringField(STATUS, o.status().name(), Field.Store.NO));
        boolean taughtInWelsh = o.languages().contains("cy");
        text(doc, TITLE, o.title(), taughtInWelsh);
        text(doc, TERMS, String.join(" \n ", o.terms()), taughtInWelsh);
        text(doc, DESCRIPTION, o.description(), taughtInWelsh);
        keyword(doc, KIND, o.kind().name());
        if (o.level() != null) {
            keyword(doc, LEVEL, o.level());
        }
        o.languages().forEach(language -> keyword(doc, LANGUAGE, language));
        o.accessibility().forEach(feature -> keyword(doc, ACCESSIBILITY, feature.name()));
        o.venues().stream().map(v -> v.locality().toLowerCase(Locale.ROOT)).distinct()
                .forEach(locality -> keyword(doc, LOCALITY, locality));
        doc.add(new StringField(FREE, Boolean.toString(o.isFree()), Field.Store.NO));
        doc.add(new StringField(MODE, o.mode().name(), Field.Store.NO));
        if (o.schedule() != null && o.schedule().startsOn() != null) {
            doc.add(new LongPoint(STARTS, o.schedule().startsOn().toEpochDay()));
        }
        for (Venue venue : o.venues()) {
            if (venue.hasCoordinates()) {
                doc.add(new LatLonPoint(GEO, venue.latitude(), venue.longitude()));
                doc.add(new LatLonDocValuesField(GEO, venue.latitude(), venue.longitude()));
            }
        }
        doc.add(new StoredField(SOURCE, new BytesRef(new RawBsonDocument(stored, new DocumentCodec()).getByteBuffer()
                .array())));
        return doc;
    }

    private static void text(org.apache.lucene.document.Document doc, String field, String value, boolean welsh) {
        if (value != null && !value.isBlank()) {
            doc.add(new TextField(field, value, Field.Store.NO));
            doc.add(new TextField(WORDS, value, Field.Store.NO));
            if (welsh) {
                doc.add(new TextField(field + CatalogueAnalyzers.WELSH_SUFFIX, value, Field.Store.NO));
            }
        }
    }

    private static void keyword(org.apache.lucene.document.Document doc, String field, String value) {
        doc.add(new StringField(field, value, Field.Store.NO));
        doc.add(new SortedSetDocValuesFacetField(field, value));
    }

    // ---------------------------------------------------------------------------------------------- asking it

    @Override
    public SearchResults search(SearchCriteria c) {
        Query query = query(c);
        boolean byText = c.text() != null;
        Sort sort = sort(byText, c.near());
        IndexSearcher searcher = acquire();
        try {
            FieldDoc after = c.after() == null ? null : after(c, searcher);
            if (after != null && searcher.getIndexReader().maxDoc() == 0) {
                return new SearchResults(List.of(), false, null, 0, facets(searcher, null));
            }
            FacetsCollectorManager.FacetsResult result = after == null
                    ? FacetsCollectorManager.search(searcher, query, c.limit() + 1, sort, false,
                    new FacetsCollectorManager())
                    : FacetsCollectorManager.searchAfter(searcher, after, query, c.limit() + 1, sort, false,
                    new FacetsCollectorManager());
            ScoreDoc[] found = result.topDocs().scoreDocs;
            boolean more = found.length > c.limit();
            List<SearchHit> hits = new ArrayList<>();
            List<Opportunity> page = opportunities(searcher, found, Math.min(found.length, c.limit()));
            FieldDoc last = null;
            for (int i = 0; i < page.size(); i++) {
                last = (FieldDoc) found[i];
                Double distance = c.near() == null ? null : (Double) last.fields[byText ? 1 : 0];
                hits.add(new SearchHit(OpportunityView.of(page.get(i)),
                        byText ? Math.round(((Float) last.fields[0]) * 100) / 100.0 : null,
                        distance == null ? null : Math.round(distance / 10) / 100.0));
            }
            String next = more ? cursor(last, byText, c.near() != null).encode() : null;
            return new SearchResults(hits, more, next, total(result.facetsCollector()),
                    facets(searcher, result.facetsCollector()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            release(searcher);
        }
    }

    @Override
    public List<Opportunity> candidates(CandidateQuery c) {
        boolean byText = !c.goals().isEmpty();
        BooleanQuery.Builder place = new BooleanQuery.Builder();
        if (c.locality() != null) {
            place.add(new TermQuery(new Term(LOCALITY, c.locality().toLowerCase(Locale.ROOT))),
                    BooleanClause.Occur.SHOULD);
        }
        if (c.near() != null) {
            place.add(distance(c.near(), c.withinKm(), byText), BooleanClause.Occur.SHOULD);
        }
        BooleanQuery inReach = place.build();
        Query query;
        if (byText) {
            // Relevant by goal; among those, the ones within the learner's reach (or online) rank first.
            BooleanQuery.Builder goal = new BooleanQuery.Builder().add(text(String.join(" ", c.goals())),
                    BooleanClause.Occur.MUST);
            if (!inReach.clauses().isEmpty()) {
                goal.add(new ConstantScoreQuery(inReach), BooleanClause.Occur.SHOULD)
                        .add(new ConstantScoreQuery(new TermQuery(new Term(MODE, DeliveryMode.ONLINE.name()))),
                                BooleanClause.Occur.SHOULD);
            }
            query = goal.build();
        } else if (inReach.clauses().isEmpty()) {
            query = new MatchAllDocsQuery();
        } else {
            query = new BooleanQuery.Builder().add(inReach, BooleanClause.Occur.SHOULD)
                    .add(new TermQuery(new Term(MODE, DeliveryMode.ONLINE.name())), BooleanClause.Occur.SHOULD)
                    .build();
        }
        IndexSearcher searcher = acquire();
        try {
            TopDocs top = searcher.search(query, c.limit(), sort(byText, null));
            return opportunities(searcher, top.scoreDocs, top.scoreDocs.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            release(searcher);
        }
    }

    private Query query(SearchCriteria c) {
        BooleanQuery.Builder all = new BooleanQuery.Builder();
        Consumer<Query> filter = q -> all.add(q, BooleanClause.Occur.FILTER);
        if (c.hasPlaces()) {
            filter.accept(new TermQuery(new Term(STATUS, OpportunityStatus.PUBLISHED.name())));
        }
        if (c.kind() != null) {
            filter.accept(new TermQuery(new Term(KIND, c.kind().name())));
        }
        if (c.level() != null) {
            filter.accept(new TermQuery(new Term(LEVEL, c.level())));
        }
        if (c.language() != null) {
            filter.accept(new TermQuery(new Term(LANGUAGE, c.language())));
        }
        if (c.accessibility() != null) {
            c.accessibility().forEach(feature -> filter.accept(new TermQuery(new Term(ACCESSIBILITY,
                    feature.name()))));
        }
        if (c.locality() != null) {
            filter.accept(new TermQuery(new Term(LOCALITY, c.locality().toLowerCase(Locale.ROOT))));
        }
        if (c.startsAfter() != null || c.startsBefore() != null) {
            filter.accept(LongPoint.newRangeQuery(STARTS,
                    c.startsAfter() == null ? Long.MIN_VALUE : c.startsAfter().toEpochDay(),
                    c.startsBefore() == null ? Long.MAX_VALUE : c.startsBefore().toEpochDay()));
        }
        if (c.free()) {
            filter.accept(new TermQuery(new Term(FREE, "true")));
        }
        if (c.near() != null) {
            filter.accept(distance(c.near(), c.withinKm(), c.text() != null));
        }
        if (c.text() != null) {
            all.add(text(c.text()), BooleanClause.Occur.MUST);
        }
        BooleanQuery built = all.build();
        return built.clauses().isEmpty() ? new MatchAllDocsQuery() : built;
    }

    /**
     * Venues within {@code withinKm} of {@code near}. Alongside text, checked on the text's hits from the venues' doc
     * values: the points' own query would find every venue in the circle (a quarter of a city's catalogue) and then
     * advance each of the text's many term lists to each of them, a cost that grows with the catalogue, where the
     * text's hits are few. Alone, from the points (the circle is then all there is to find).
     */
    private static Query distance(SearchCriteria.Point near, double withinKm, boolean checkedOnText) {
        return checkedOnText
                ? LatLonDocValuesField.newSlowDistanceQuery(GEO, near.latitude(), near.longitude(), withinKm * 1000)
                : LatLonPoint.newDistanceQuery(GEO, near.latitude(), near.longitude(), withinKm * 1000);
    }

    /**
     * Any query word may match (more matched words rank higher, as BM25 adds them up); each word is looked for in
     * every text field at that field's boost, exactly and, at a lower weight, within an edit distance that grows
     * with its length (the first letter must match), and in the Welsh fields with its mutations undone.
     */
    Query text(String text) {
        BooleanQuery.Builder words = new BooleanQuery.Builder();
        int count = 0;
        for (String word : text.split("[^\\p{L}\\p{N}'’]+")) {
            if (word.isBlank() || count >= MAX_QUERY_WORDS) {
                continue;
            }
            BooleanQuery.Builder one = new BooleanQuery.Builder();
            // Analysed alike in every English field, so the field boosts make one BM25F query per term: a term's
            // rarity is judged over the whole text, not per field (a field few opportunities fill, such as the
            // subject terms, would otherwise outweigh the title).
            Set<String> stems = CatalogueAnalyzers.terms(english, TITLE, word);
            for (String term : stems) {
                one.add(combined(term, ""), BooleanClause.Occur.SHOULD);
            }
            // A near spelling, judged on the words as written (stems of misspelt words differ too much): a small
            // constant, below any real match. The edit distance allowed grows with the word; the first letter must
            // match. Not for common words ("with" would find "wish").
            for (String written : stems.isEmpty() ? Set.<String>of() : CatalogueAnalyzers.terms(plain, WORDS, word)) {
                int edits = written.length() >= 8 ? 2 : written.length() >= 4 ? 1 : 0;
                if (edits > 0) {
                    one.add(new BoostQuery(new ConstantScoreQuery(new FuzzyQuery(new Term(WORDS, written), edits, 1,
                            50, true)), FUZZY_WEIGHT), BooleanClause.Occur.SHOULD);
                }
            }
            for (String term : CatalogueAnalyzers.terms(welsh, TITLE + CatalogueAnalyzers.WELSH_SUFFIX, word)) {
                one.add(new BoostQuery(combined(term, CatalogueAnalyzers.WELSH_SUFFIX), WELSH_WEIGHT),
                        BooleanClause.Occur.SHOULD);
            }
            BooleanQuery wordQuery = one.build();
            if (!wordQuery.clauses().isEmpty()) {
                words.add(wordQuery, BooleanClause.Occur.SHOULD);
                count++;
            }
        }
        return count == 0 ? new MatchNoDocsQuery("no searchable word") : words.setMinimumNumberShouldMatch(1).build();
    }

    private static Query combined(String term, String suffix) {
        CombinedFieldQuery.Builder query = new CombinedFieldQuery.Builder(term);
        TEXT_BOOSTS.forEach((field, boost) -> query.addField(field + suffix, boost));
        return query.build();
    }

    /** Relevance first (with text), then the nearest venue (with a point), then newest, then id: every key unique. */
    private static Sort sort(boolean byText, SearchCriteria.Point near) {
        List<SortField> fields = new ArrayList<>();
        if (byText) {
            fields.add(SortField.FIELD_SCORE);
        }
        if (near != null) {
            fields.add(LatLonDocValuesField.newDistanceSort(GEO, near.latitude(), near.longitude()));
        }
        fields.add(new SortField(PUBLISHED, SortField.Type.LONG, true));
        fields.add(new SortField(ID, SortField.Type.STRING));
        return new Sort(fields.toArray(SortField[]::new));
    }

    private static FieldDoc after(SearchCriteria c, IndexSearcher searcher) {
        SearchCursor cursor = c.after();
        boolean byText = c.text() != null;
        if (byText != (cursor.score() != null) || (c.near() != null) != (cursor.distanceMetres() != null)) {
            throw SearchCursor.badCursor();
        }
        List<Object> values = new ArrayList<>();
        if (byText) {
            values.add(cursor.score());
        }
        if (c.near() != null) {
            values.add(cursor.distanceMetres());
        }
        values.add(cursor.publishedAtMillis());
        values.add(new BytesRef(cursor.id()));
        // The sort ends with the unique id, so the document number only has to be one that orders after no equal key.
        int doc = Math.max(0, searcher.getIndexReader().maxDoc() - 1);
        return new FieldDoc(doc, byText ? cursor.score() : Float.NaN, values.toArray());
    }

    private static SearchCursor cursor(FieldDoc last, boolean byText, boolean near) {
        int i = 0;
        Float score = byText ? (Float) last.fields[i++] : null;
        Double distance = near ? (Double) last.fields[i++] : null;
        long published = (Long) last.fields[i++];
        String id = ((BytesRef) last.fields[i]).utf8ToString();
        return new SearchCursor(score, distance, published, id);
    }

    /**
     * The opportunities the first {@code count} hits stand for, in the hits' order, each decoded from its stored
     * source; the last {@value #DECODED} decoded are kept by id and version (a version is never changed, so a kept one
     * is never stale), since decoding is most of the cost of a page and popular results recur. Ids and versions are
     * read in document order, with one doc-values reader per segment.
     */
    private List<Opportunity> opportunities(IndexSearcher searcher, ScoreDoc[] hits, int count) throws IOException {
        Integer[] byDoc = new Integer[count];
        for (int i = 0; i < count; i++) {
            byDoc[i] = i;
        }
        java.util.Arrays.sort(byDoc, java.util.Comparator.comparingInt(i -> hits[i].doc));
        Opportunity[] found = new Opportunity[count];
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        StoredFields stored = searcher.storedFields();
        LeafReaderContext leaf = null;
        SortedDocValues ids = null;
        NumericDocValues versions = null;
        for (int i : byDoc) {
            int doc = hits[i].doc;
            if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
                leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
                ids = leaf.reader().getSortedDocValues(ID);
                versions = leaf.reader().getNumericDocValues(VERSION);
            }
            String key = null;
            if (ids != null && versions != null && ids.advanceExact(doc - leaf.docBase)
                    && versions.advanceExact(doc - leaf.docBase)) {
                key = ids.lookupOrd(ids.ordValue()).utf8ToString() + "@" + versions.longValue();
                found[i] = decoded.get(key);
            }
            if (found[i] == null) {
                found[i] = decode(stored, doc);
                if (key != null) {
                    decoded.put(key, found[i]);
                }
            }
        }
        return java.util.Arrays.asList(found);
    }

    private Opportunity decode(StoredFields stored, int doc) throws IOException {
        BytesRef bytes = stored.document(doc, Set.of(SOURCE)).getBinaryValue(SOURCE);
        Document source = new DocumentCodec().decode(new BsonBinaryReader(ByteBuffer.wrap(bytes.bytes, bytes.offset,
                bytes.length)), DecoderContext.builder().build());
        return mongo.getConverter().read(Opportunity.class, source);
    }

    private static long total(FacetsCollector collector) {
        return collector.getMatchingDocs().stream().mapToLong(FacetsCollector.MatchingDocs::totalHits).sum();
    }

    private Map<String, Map<String, Long>> facets(IndexSearcher searcher, FacetsCollector collector)
            throws IOException {
        Map<String, Map<String, Long>> facets = new LinkedHashMap<>();
        FACETS.forEach(dimension -> facets.put(dimension, new LinkedHashMap<>()));
        SortedSetDocValuesReaderState state = collector == null ? null : facetState(searcher.getIndexReader());
        if (state == null) {
            return facets;
        }
        SortedSetDocValuesFacetCounts counts = new SortedSetDocValuesFacetCounts(state, collector);
        for (String dimension : FACETS) {
            if (state.getOrdRange(dimension) == null) {
                continue;
            }
            FacetResult result = counts.getTopChildren(FACET_VALUES, dimension);
            if (result != null) {
                for (LabelAndValue value : result.labelValues) {
                    facets.get(dimension).put(value.label, value.value.longValue());
                }
            }
        }
        return facets;
    }

    private record FacetState(IndexReader reader, SortedSetDocValuesReaderState state) {
    }

    /** The ordinal map of the facet values, built once per searcher generation. */
    private SortedSetDocValuesReaderState facetState(IndexReader reader) throws IOException {
        FacetState current = facetState;
        if (current != null && current.reader() == reader) {
            return current.state();
        }
        SortedSetDocValuesReaderState state;
        try {
            state = new DefaultSortedSetDocValuesReaderState(reader, facetsConfig);
        } catch (IllegalArgumentException nothingIndexedYet) {
            state = null;
        }
        facetState = new FacetState(reader, state);
        return state;
    }

    private IndexSearcher acquire() {
        try {
            return searchers.acquire();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void release(IndexSearcher searcher) {
        try {
            searchers.release(searcher);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many opportunities the index holds (for logs and tests). */
    int size() {
        IndexSearcher searcher = acquire();
        try {
            return searcher.getIndexReader().numDocs();
        } finally {
            release(searcher);
        }
    }

    @Override
    public void destroy() throws IOException {
        reopener.close();
        synchronized (changes) {
            commit();
            searchers.close();
            writer.close();
            directory.close();
        }
    }
}
