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
import java.util.function.Supplier;

import org.pathways.catalogue.OpportunityCatalogueServiceApplication;
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
 * Not a test (surefire does not run it): seeds N published opportunities into the embedded store and prints search
 * and matching latency, measured at the service (no HTTP). Run from the module directory after test-compile:
 *
 * <pre>
 * ../mvnw -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -Xmx3g -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) \
 *     org.pathways.catalogue.search.SearchBenchmark 10000 100000
 * </pre>
 *
 * The embedded store ignores non-unique indexes, so every query is a full scan here; real MongoDB serves the same
 * queries from the declared indexes.
 */
public final class SearchBenchmark {

    private static final String[] SUBJECTS = {"English", "Maths", "Digital skills", "Cooking", "Confidence",
            "Employability", "Childcare", "Wellbeing", "Volunteering", "ESOL", "Art", "Music", "Budgeting",
            "CV writing", "Interview practice", "Forklift", "Care work", "Customer service", "Gardening", "Yoga"};
    private static final String[] LOCALITIES = {"Harehills", "Chapeltown", "Armley", "Beeston", "Headingley",
            "Seacroft", "Holbeck", "Hunslet", "Bramley", "Pudsey", "Morley", "Otley", "Garforth", "Rothwell",
            "Horsforth", "Kirkstall", "Moortown", "Roundhay", "Burley", "Gipton"};

    private SearchBenchmark() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {10_000, 100_000}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Map<String, Object> properties = new HashMap<>(SharedInfrastructure.serviceProperties("catalogue-benchmark"));
        properties.put("server.port", "0");
        properties.put("spring.config.name", OpportunityCatalogueServiceApplication.NAME);
        properties.put("logging.level.root", "WARN");
        // System properties outrank the service's YAML, as @DynamicPropertySource does in the tests.
        properties.forEach((key, value) -> System.setProperty(key, value.toString()));
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                OpportunityCatalogueServiceApplication.class).run()) {
            MongoTemplate mongo = context.getBean(MongoTemplate.class);
            CatalogueSearch search = context.getBean(CatalogueSearch.class);
            Matchmaker matchmaker = context.getBean(Matchmaker.class);
            Random random = new Random(42);
            int seeded = 0;
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
                System.out.printf(Locale.ROOT, "%n== %,d opportunities (seeded in %.1f s) ==%n", size,
                        (System.nanoTime() - start) / 1e9);
                measure("newest, kind filter (db-paged)", () -> search.search(criteria(null, null, null,
                        OpportunityKind.FORMAL_LEARNING, false)).items().size());
                measure("newest, locality+free+hasPlaces", () -> search.search(criteria(null, "Harehills", null,
                        null, true)).items().size());
                measure("text 'english' (ranked)", () -> search.search(criteria("english", null, null, null, false))
                        .items().size());
                measure("text 'digital skills' + 5 km", () -> search.search(criteria("digital skills", null,
                        new SearchCriteria.Point(53.80, -1.55), null, false)).items().size());
                measure("match (goals, locality, point)", () -> matchmaker.match(new MatchRequest("Harehills",
                        53.80, -1.52, 10.0, "en", "E2", 30, Set.of(), Set.of(), List.of("english", "confidence"),
                        Set.of(TimeSlot.WEEKDAY_DAYTIME), 20)).matches().size());
            }
        }
        // The embedded broker's threads would keep the JVM alive.
        System.exit(0);
    }

    private static SearchCriteria criteria(String text, String locality, SearchCriteria.Point near,
                                           OpportunityKind kind, boolean freeWithPlaces) {
        return new SearchCriteria(text, locality, near, 5.0, kind, null, null, null, null, null, freeWithPlaces,
                freeWithPlaces, null, 20);
    }

    private static void measure(String what, Supplier<Integer> query) {
        for (int i = 0; i < 2; i++) {
            query.get();
        }
        int runs = 7;
        long[] millis = new long[runs];
        int found = 0;
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            found = query.get();
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "  %-36s median %5d ms   max %5d ms   (%d results)%n", what,
                millis[runs / 2], millis[runs - 1], found);
    }

    private static Opportunity opportunity(Random random, int n) {
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
