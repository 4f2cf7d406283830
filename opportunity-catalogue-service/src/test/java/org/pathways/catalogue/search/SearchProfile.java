package org.pathways.catalogue.search;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;

import com.mongodb.client.MongoClients;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.agency.PendingAgencies;
import org.pathways.catalogue.matching.Matchmaker;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.events.opportunity.OpportunityKind;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Not part of the suite: the index alone (no store: the opportunities are indexed straight from memory), the queries
 * of {@link SearchBenchmark} at 10,000 and 100,000 opportunities in a minute or two, with the thread's CPU time per
 * query beside the elapsed time (for a loaded machine), for profiling (JFR through {@code -DargLine}):
 *
 * <pre>
 * ./mvnw -B -o -pl opportunity-catalogue-service -am test -Dtest=SearchProfile -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class SearchProfile {

    static {
        if (!Boolean.getBoolean("luceneAssertions")) {
            SearchProfile.class.getClassLoader().setPackageAssertionStatus("org.apache.lucene", false);
        }
    }

    private static final String[] LOCALITIES = {"Harehills", "Chapeltown", "Armley", "Beeston", "Headingley",
            "Seacroft", "Holbeck", "Hunslet", "Bramley", "Pudsey", "Morley", "Otley", "Garforth", "Rothwell",
            "Horsforth", "Kirkstall", "Moortown", "Roundhay", "Burley", "Gipton"};
    private static final String[] WORDS = {"english", "cooking", "maths", "gardening", "budgeting", "confidence"};
    private static final SearchCriteria.Point[] POINTS = {new SearchCriteria.Point(53.80, -1.55),
            new SearchCriteria.Point(53.82, -1.50), new SearchCriteria.Point(53.78, -1.60)};

    @Test
    void profile() throws Exception {
        MongoTemplate mongo = new MongoTemplate(MongoClients.create("mongodb://127.0.0.1:1"), "none");
        LuceneOpportunitySearch search = new LuceneOpportunitySearch(mongo, new PendingAgencies(mongo),
                new SearchIndexProperties("memory", java.time.Duration.ofHours(10)));
        java.lang.reflect.Constructor<Matchmaker> make = Matchmaker.class.getDeclaredConstructor(OpportunitySearch.class);
        make.setAccessible(true);
        Matchmaker matchmaker = make.newInstance(search);
        Random random = new Random(42);
        int seeded = 0;
        int runs = Integer.getInteger("runs", 300);
        for (int size : Arrays.stream(System.getProperty("sizes", "10000,100000").split(","))
                .mapToInt(Integer::parseInt).toArray()) {
            while (seeded < size) {
                Opportunity o = SearchBenchmark.opportunity(random, seeded++);
                Document d = new Document();
                mongo.getConverter().write(o, d);
                d.put("version", 1L);
                d.put("_id", o.id());
                search.apply(o.id(), d, a -> false);
            }
            search.commit();
            search.refresh();
            System.out.printf("%n== %,d ==%n", size);
            time("filters: kind", runs, n -> search.search(SearchBenchmark.criteria(null, null, null,
                    OpportunityKind.values()[n % OpportunityKind.values().length], false)).items().size());
            time("filters: locality+free+hasPlaces", runs, n -> search.search(SearchBenchmark.criteria(null,
                    LOCALITIES[n % LOCALITIES.length], null, null, true)).items().size());
            time("text one word", runs, n -> search.search(SearchBenchmark.criteria(WORDS[n % WORDS.length], null,
                    null, null, false)).items().size());
            time("text two words + 5 km", runs, n -> search.search(SearchBenchmark.criteria("digital skills", null,
                    POINTS[n % 3], null, false)).items().size());
            time("text + filters", runs, n -> search.search(SearchBenchmark.criteria(WORDS[n % WORDS.length],
                    LOCALITIES[n % LOCALITIES.length], null, null, true)).items().size());
            time("match", runs, n -> matchmaker.match(SearchBenchmark.needs(n)).matches().size());
        }
    }

    /** Elapsed and this thread's CPU time (less sensitive to what else the machine runs), p50 and p99. */
    private static void time(String what, int runs, IntFunction<Integer> query) {
        for (int i = 0; i < 30; i++) {
            query.apply(i);
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] nanos = new long[runs];
        long[] cpu = new long[runs];
        int found = 0;
        for (int i = 0; i < runs; i++) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            found = query.apply(i);
            nanos[i] = System.nanoTime() - start;
            cpu[i] = threads.getCurrentThreadCpuTime() - cpuStart;
        }
        Arrays.sort(nanos);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "PROFILE %-34s elapsed p50 %6.2f p99 %6.2f ms | thread cpu p50 %6.2f p99 %6.2f"
                        + " ms (%d)%n", what, nanos[runs / 2] / 1e6, nanos[runs * 99 / 100] / 1e6, cpu[runs / 2] / 1e6,
                cpu[runs * 99 / 100] / 1e6, found);
    }
}
