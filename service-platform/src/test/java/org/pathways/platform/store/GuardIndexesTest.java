package org.pathways.platform.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.index.IndexField;
import org.springframework.data.mongodb.core.index.IndexInfo;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * Every versioned entity's optimistic-locking save ({@code {_id, version}}) and every declared guarded write has a
 * unique index on exactly its fields, which is what the embedded store needs to answer it without reading the whole
 * collection; declaring it again, or where another part declared the same keys under its own name, changes nothing.
 */
class GuardIndexesTest {

    private static final MongoServer SERVER = new MongoServer(new MemoryBackend());
    private static final InetSocketAddress ADDRESS = SERVER.bind();
    private static final MongoClient CLIENT = MongoClients.create("mongodb://localhost:" + ADDRESS.getPort());

    @Document("guarded-cases")
    record GuardedCase(@Id String id, @Version Long revision, String note) {
    }

    @Document("plain-notes")
    record PlainNote(@Id String id, String text) {
    }

    @AfterAll
    static void stop() {
        CLIENT.close();
        SERVER.shutdown();
    }

    @Test
    void aVersionedEntityGetsItsGuardAndAnUnversionedOneNothing() {
        MongoTemplate mongo = new MongoTemplate(CLIENT, "guards-" + System.nanoTime());
        mongo.getConverter().getMappingContext().getPersistentEntity(GuardedCase.class);
        mongo.getConverter().getMappingContext().getPersistentEntity(PlainNote.class);
        mongo.save(new PlainNote("n-1", "kept"));

        new GuardIndexes(mongo).afterSingletonsInstantiated();
        new GuardIndexes(mongo).afterSingletonsInstantiated();

        assertThat(guards(mongo, "guarded-cases")).containsExactly(List.of("_id", "revision"));
        assertThat(guards(mongo, "plain-notes")).isEmpty();
        // The save under a version works as before, and a stale version is refused.
        GuardedCase saved = mongo.save(new GuardedCase("c-1", null, "first"));
        mongo.save(new GuardedCase("c-1", saved.revision(), "second"));
        assertThat(mongo.findById("c-1", GuardedCase.class).note()).isEqualTo("second");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mongo.save(new GuardedCase("c-1", saved.revision(),
                "stale"))).isInstanceOf(org.springframework.dao.OptimisticLockingFailureException.class);
    }

    @Test
    void keysAlreadyGuardedUnderAnotherNameAreLeftAsTheyAre() {
        MongoTemplate mongo = new MongoTemplate(CLIENT, "guards-" + System.nanoTime());
        mongo.indexOps("deliveries").createIndex(new Index().on("_id", Sort.Direction.ASC)
                .on("agencyId", Sort.Direction.ASC).unique().named("delivery_agency_guard"));

        GuardIndexes.declare(mongo, "deliveries", "agencyId");
        GuardIndexes.declare(mongo, "deliveries", "lease.owner");
        GuardIndexes.declare(mongo, "deliveries", "step", "at");

        assertThat(mongo.indexOps("deliveries").getIndexInfo()).extracting(IndexInfo::getName)
                .contains("delivery_agency_guard", "_id_lease_owner_guard", "_id_step_at_guard")
                .doesNotContain("_id_agencyId_guard");
        assertThat(guards(mongo, "deliveries")).containsExactlyInAnyOrder(List.of("_id", "agencyId"),
                List.of("_id", "lease.owner"), List.of("_id", "step", "at"));
    }

    private static List<List<String>> guards(MongoTemplate mongo, String collection) {
        return mongo.indexOps(collection).getIndexInfo().stream().filter(IndexInfo::isUnique)
                .map(index -> index.getIndexFields().stream().map(IndexField::getKey).toList())
                .filter(keys -> keys.size() > 1)
                .toList();
    }
}
