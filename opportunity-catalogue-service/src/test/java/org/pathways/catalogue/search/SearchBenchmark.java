package org.pathways.catalogue.search;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceApplication;
import org.pathways.catalogue.matching.StoreScanMatching;
import org.pathways.catalogue.matching.MatchRequest;
import org.pathways.catalogue.matching.Matchmaker;
import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.catalogue.opportunity.DeliveryMode;
import org.pathways.catalogue.opportunity.DraftOpportunity;
import org.pathways.catalogue.opportunity.Eligibility;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.Schedule;
import org.pathways.catalogue.opportunity.TimeSlot;
import org.pathways.catalogue.opportunity.Venue;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Not part of the suite (the name matches none of Surefire's test patterns): the old search (scored in the service
 * over store candidates, {@link StoreScanSearch}, and matching over the 5,000 newest candidates,
 * {@link StoreScanMatching}) and the new one (the Lucene index, {@link OpportunitySearch}) side by side, at 10,000 and
 * 100,000 published opportunities (or {@code -Dsizes=...}), measured at the service (no HTTP). Run it alone:
 *
 * <pre>
 * ./mvnw -B -q -o -pl opportunity-catalogue-service -am test -Dtest=SearchBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * The figures are printed and written to {@code opportunity-catalogue-service/target/search-benchmark.txt}. The
 * opportunities are inserted straight into the store (not through the outbox) and the index is then caught up by
 * {@link OpportunitySearch#reconcile()}, which is also timed: what a start with a missing index costs. Each query is
 * one of several variants (words, localities, points) taken in turn; p50 and p99 over 300 runs for the
 * index and 25 for the old path ({@code -DnewRuns}, {@code -DoldRuns}) (slow enough that more runs would take minutes). The embedded store
 * ignores non-unique indexes, so the old path scans.
 *
 * <p>Lucene runs as it does in the service, without its internal assertions: Surefire enables assertions, and some of
 * Lucene's check whole blocks of postings at every step (a postings list's order at every {@code advance}), which
 * multiplies the cost of conjunctions. {@code -DluceneAssertions=true} keeps them (the figures before 2026-12-02
 * 22:30 UTC were taken with them).
 */
class SearchBenchmark {

    static {
        if (!Boolean.getBoolean("luceneAssertions")) {
            // Before any Lucene class is loaded (the service's context starts in the test).
            SearchBenchmark.class.getClassLoader().setPackageAssertionStatus("org.apache.lucene", false);
        }
    }

    private static final int OLD_RUNS = Integer.getInteger("oldRuns", 25);
    private static final int NEW_RUNS = Integer.getInteger("newRuns", 300);
    private static final String[] SUBJECTS = {"English", "Maths", "Digital skills", "Cooking", "Confidence",
            "Employability", "Childcare", "Wellbeing", "Volunteering", "ESOL", "Art", "Music", "Budgeting",
            "CV writing", "Interview practice", "Forklift", "Care work", "Customer service", "Gardening", "Yoga"};
    private static final String[] LOCALITIES = {"Harehills", "Chapeltown", "Armley", "Beeston", "Headingley",
            "Seacroft", "Holbeck", "Hunslet", "Bramley", "Pudsey", "Morley", "Otley", "Garforth", "Rothwell",
            "Horsforth", "Kirkstall", "Moortown", "Roundhay", "Burley", "Gipton"};
    private static final String[] WORDS = {"english", "cooking", "maths", "gardening", "budgeting", "confidence"};
    private static final String[] TYPOS = {"englsh", "cokking", "gardenning", "budgetting", "confidense", "mathss"};
    private static final SearchCriteria.Point[] POINTS = {new SearchCriteria.Point(53.80, -1.55),
            new SearchCriteria.Point(53.82, -1.50), new SearchCriteria.Point(53.78, -1.60)};

    private final List<String> lines = new ArrayList<>();

    @Test
    void oldAndNewSearchSideBySide() throws IOException {
        int[] sizes = Arrays.stream(System.getProperty("sizes", "10000,100000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Map<String, Object> properties = new HashMap<>(SharedInfrastructure.serviceProperties("catalogue-benchmark"));
        properties.put("server.port", "0");
        properties.put("spring.config.name", OpportunityCatalogueServiceApplication.NAME);
        properties.put("logging.level.root", "WARN");
        properties.put("pathways.catalogue.search.directory", "memory");
        properties.put("pathways.catalogue.search.reconcile-every", "PT10H");
        // System properties outrank the service's YAML, as @DynamicPropertySource does in the tests.
        properties.forEach((key, value) -> System.setProperty(key, value.toString()));
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                OpportunityCatalogueServiceApplication.class).run()) {
            MongoTemplate mongo = context.getBean(MongoTemplate.class);
            StoreScanSearch old = new StoreScanSearch(mongo);
            OpportunitySearch search = context.getBean(OpportunitySearch.class);
            Matchmaker matchmaker = context.getBean(Matchmaker.class);
            Random random = new Random(42);
            int seeded = 0;
            print("elapsed p50/p99, then the process CPU time per query p50/p99 (all threads: the store's too; what"
                    + " the query costs, whatever else the machine runs)");
            print(String.format(Locale.ROOT, "%-40s %9s %9s %9s %9s | %9s %9s %9s %9s %7s", "query (20 results)",
                    "old p50", "old p99", "new p50", "new p99", "old cpu50", "old cpu99", "new cpu50", "new cpu99",
                    "results"));
            for (int size : sizes) {
                long start = System.nanoTime();
                while (seeded < size) {
                    List<Opportunity> batch = new ArrayList<>();
                    for (int i = 0; i < 1000 && seeded < size; i++, seeded++) {
                        batch.add(opportunity(random, seeded));
                    }
                    // Straight inserts: seeding, not the outbox's business.
                    mongo.insertAll(batch);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                OpportunitySearch.Reconciliation caughtUp = search.reconcile();
                print(String.format(Locale.ROOT, "%n== %,d opportunities (seeded in %.1f s; index caught up with %,d"
                        + " in %.1f s) ==", size, seconds, caughtUp.indexed(), (System.nanoTime() - start) / 1e9));
                compare("filters: kind, newest first", n -> criteria(null, null, null,
                        OpportunityKind.values()[n % OpportunityKind.values().length], false), old, search);
                compare("filters: locality+free+hasPlaces", n -> criteria(null, LOCALITIES[n % LOCALITIES.length],
                        null, null, true), old, search);
                compare("text (one word)", n -> criteria(WORDS[n % WORDS.length], null, null, null, false), old,
                        search);
                compare("text with a typo", n -> criteria(TYPOS[n % TYPOS.length], null, null, null, false), old,
                        search);
                compare("text (two words) + within 5 km", n -> criteria("digital skills", null, POINTS[n % 3], null,
                        false), old, search);
                compare("point only, nearest first", n -> criteria(null, null, POINTS[n % 3], null, false), old,
                        search);
                compare("text + filters (facets as always)", n -> criteria(WORDS[n % WORDS.length],
                        LOCALITIES[n % LOCALITIES.length], null, null, true), old, search);
                row("match (goals, locality, point)",
                        measure(OLD_RUNS, n -> StoreScanMatching.match(mongo, matchmaker, needs(n)).matches().size()),
                        measure(NEW_RUNS, n -> matchmaker.match(needs(n)).matches().size()));
            }
        }
        Path out = Path.of("target", "search-benchmark.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, lines);
    }

    static MatchRequest needs(int n) {
        return new MatchRequest(LOCALITIES[n % LOCALITIES.length], 53.80, -1.52, 10.0, "en", "E2", 30, Set.of(),
                Set.of(), List.of(WORDS[n % WORDS.length], "confidence"), Set.of(TimeSlot.WEEKDAY_DAYTIME), 20);
    }

    private void compare(String what, IntFunction<SearchCriteria> criteria, StoreScanSearch old,
                         OpportunitySearch search) {
        row(what, measure(OLD_RUNS, n -> old.search(criteria.apply(n)).items().size()),
                measure(NEW_RUNS, n -> search.search(criteria.apply(n)).items().size()));
    }

    private void row(String what, long[] old, long[] now) {
        print(String.format(Locale.ROOT, "%-40s %6.1f ms %6.1f ms %6.1f ms %6.1f ms | %6.1f ms %6.1f ms %6.1f ms"
                        + " %6.1f ms %7d", what, old[0] / 1e6, old[1] / 1e6, now[0] / 1e6, now[1] / 1e6, old[3] / 1e6,
                old[4] / 1e6, now[3] / 1e6, now[4] / 1e6, now[2]));
    }

    private void print(String line) {
        System.out.println(line);
        lines.add(line);
    }

    /**
     * {elapsed p50, p99, results of the last run, process CPU p50, p99} in nanoseconds, after a few warm-up runs.
     */
    private static long[] measure(int runs, IntFunction<Integer> query) {
        for (int i = 0; i < Math.min(20, runs); i++) {
            query.apply(i);
        }
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long[] nanos = new long[runs];
        long[] cpu = new long[runs];
        int found = 0;
        for (int i = 0; i < runs; i++) {
            long cpuStart = os.getProcessCpuTime();
            long start = System.nanoTime();
            found = query.apply(i);
            nanos[i] = System.nanoTime() - start;
            cpu[i] = os.getProcessCpuTime() - cpuStart;
        }
        Arrays.sort(nanos);
        Arrays.sort(cpu);
        int p99 = Math.min(runs - 1, (int) Math.ceil(runs * 0.99) - 1);
        return new long[] {nanos[runs / 2], nanos[p99], found, cpu[runs / 2], cpu[p99]};
    }

    static SearchCriteria criteria(String text, String locality, SearchCriteria.Point near,
                                           OpportunityKind kind, boolean freeWithPlaces) {
        return new SearchCriteria(text, locality, near, 5.0, kind, null, null, null, null, null, freeWithPlaces,
                freeWithPlaces, null, 20);
    }

    static Opportunity opportunity(Random random, int n) {
        String subject = SUBJECTS[random.nextInt(SUBJECTS.length)];
        String locality = LOCALITIES[random.nextInt(LOCALITIES.length)];
        String level = random.nextInt(4) == 0 ? null : (random.nextBoolean() ? "E" + (1 + random.nextInt(3))
                : "L" + (1 + random.nextInt(3)));
        OpportunityKind kind = OpportunityKind.values()[random.nextInt(OpportunityKind.values().length)];
        Venue venue = new Venue(locality + " hub", locality, 53.75 + random.nextDouble() * 0.15,
                -1.70 + random.nextDouble() * 0.3);
        LocalDate starts = LocalDate.of(2027, 1, 1).plusDays(random.nextInt(300));
        DraftOpportunity details = new DraftOpportunity(subject + " " + (level == null ? "" : level) + " #" + n,
                "A course in " + subject.toLowerCase(Locale.ROOT) + " for adults in " + locality + ".", kind, level,
                random.nextInt(5) == 0 ? null : 5 + random.nextInt(20), List.of(subject.toLowerCase(Locale.ROOT)),
                DeliveryMode.values()[random.nextInt(3)], List.of(venue),
                new Schedule(starts, starts.plusWeeks(10), 10, Set.of(TimeSlot.values()[random.nextInt(3)]), null),
                random.nextInt(3) == 0 ? 2500 : 0, Set.of(), Eligibility.anyone(),
                random.nextBoolean() ? Set.of(AccessibilityFeature.STEP_FREE) : Set.of(), Set.of("en"), false);
        Opportunity opportunity = Opportunity.draft(details, "agency-" + random.nextInt(50), "benchmark",
                Instant.now());
        opportunity.publish(Instant.now().plusMillis(n));
        return opportunity;
    }
}
