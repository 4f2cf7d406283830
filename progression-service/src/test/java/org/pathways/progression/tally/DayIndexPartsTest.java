package org.pathways.progression.tally;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pathways.progression.ProgressionServiceTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * A day's index of a family's buckets is split into {@value FactStore#DAY_PARTS} parts, so that adding a batch's new
 * buckets updates small documents however full the day is; a report still finds every bucket of the day, those listed
 * in the whole-day index written before the split included.
 */
class DayIndexPartsTest extends ProgressionServiceTest {

    @Autowired
    MongoTemplate mongo;
    @Autowired
    FactStore facts;
    @Autowired
    Generations generations;

    private final Generation generation = new Generation(8_000 + (System.nanoTime() & 0xfff));
    private final LocalDate today = LocalDate.now(ZoneOffset.UTC);

    @BeforeEach
    @AfterEach
    void drop() {
        generations.drop(generation);
    }

    private void place(String thing, String where) {
        facts.change(generation, "parts-facts", thing, f -> f.set("where", where),
                f -> List.of(new Tally("parts", today, Map.of("where", f.string("where")), Map.of("n", 1L))));
    }

    @Test
    void aDayOfManyBucketsIsListedInSmallPartsAndReadWhole() {
        facts.beginBatch();
        for (int i = 0; i < 800; i++) {
            place("thing-" + i, "place-" + i);
        }
        facts.completeBatch();
        facts.endBatch();

        List<Document> buckets = facts.buckets(generation, "parts", today, today);
        assertThat(buckets).hasSize(800).allSatisfy(bucket -> assertThat(bucket.get("n", Number.class).longValue())
                .isEqualTo(1));
        List<Integer> sizes = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (RawBsonDocument part : mongo.getCollection(generation.collection(FactStore.DAYS))
                .withDocumentClass(RawBsonDocument.class).find()) {
            sizes.add(part.getByteBuffer().remaining());
            keys.add(part.getString("_id").getValue());
        }
        // No document lists the whole day: each part lists about a sixteenth of it.
        assertThat(keys).hasSize(FactStore.DAY_PARTS).allSatisfy(key -> assertThat(key)
                .startsWith("parts|" + today + "|"));
        assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThan(800 * 40 / 4));
    }

    @Test
    void bucketsListedInAWholeDayIndexWrittenBeforeTheSplitAreStillRead() {
        place("old", "before");
        // As the index was written before the split: the bucket listed in one document for the whole day.
        String bucket = new Tally("parts", today, Map.of("where", "before"), Map.of()).id();
        mongo.remove(new Query(), generation.collection(FactStore.DAYS));
        mongo.upsert(Query.query(Criteria.where("_id").is(FactStore.dayKey("parts", today.toString()))),
                new Update().addToSet("buckets", bucket), generation.collection(FactStore.DAYS));
        place("new", "after");
        place("again", "before");

        assertThat(facts.buckets(generation, "parts", today, today))
                .extracting(found -> found.getString("where") + "=" + found.get("n", Number.class).longValue())
                .containsExactlyInAnyOrder("before=2", "after=1");
    }

    @Test
    void aBucketThisInstanceWroteBeforeItsCollectionWasDroppedIsMadeWholeAgain() {
        place("first", "there");
        // Dropped behind this instance's back (as another instance drops an abandoned generation): the store still
        // takes the bucket for one that exists.
        mongo.dropCollection(generation.collection(FactStore.BUCKETS));
        mongo.dropCollection(generation.collection(FactStore.DAYS));
        place("second", "there");

        assertThat(facts.buckets(generation, "parts", today, today)).singleElement().satisfies(bucket -> {
            assertThat(bucket.getString("where")).isEqualTo("there");
            assertThat(bucket.getString("family")).isEqualTo("parts");
            assertThat(bucket.getString("day")).isEqualTo(today.toString());
            assertThat(bucket.get("n", Number.class).longValue()).isEqualTo(1);
        });
    }
}
