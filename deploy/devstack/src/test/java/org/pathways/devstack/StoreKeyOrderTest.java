package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.ObjectDataType;
import org.junit.jupiter.api.Test;

/**
 * The order of the store's keys: the MVStore's own, as the file's pages were sorted by it, and the same while another
 * thread writes a page of the same map, as the store's background writer does while its clients insert.
 */
class StoreKeyOrderTest {

    private static final List<Object> IDS = List.of("ref-1", "ref-2", "", 7, 8, -1, 7L, 9L, Long.MIN_VALUE, 2.5,
            new ObjectId(), new ObjectId(), Missing.getInstance(), new ObjectId(new byte[12]));

    @Test
    void idsAreOrderedAsTheMvStoreOrdersThem() {
        List<Object> ids = new java.util.ArrayList<>(IDS);
        ids.add(null);
        for (Object a : ids) {
            for (Object b : ids) {
                assertThat(Integer.signum(new EmbeddedMongoStore.Ids().compare(a, b)))
                        .as("%s against %s", a, b)
                        .isEqualTo(Integer.signum(new ObjectDataType().compare(a, b)));
            }
        }
    }

    @Test
    void twoObjectIdsCompareWhileAPageOfOtherKindsOfIdIsWritten() throws Exception {
        EmbeddedMongoStore.Ids ids = new EmbeddedMongoStore.Ids();
        EmbeddedMongoStore.IndexKeys keys = new EmbeddedMongoStore.IndexKeys();
        ObjectId first = new ObjectId();
        ObjectId second = new ObjectId();
        KeyValue keyOfMissing = new KeyValue(List.of(Missing.getInstance()));
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        // A page writer: one key of each kind after another, as a page of mixed ids is written.
        Thread writer = Thread.ofPlatform().start(() -> {
            WriteBuffer buffer = new WriteBuffer();
            while (writing.get()) {
                buffer.clear();
                ids.write(buffer, "ref-" + buffer.position());
                ids.write(buffer, first);
                ids.write(buffer, 42);
                keys.write(buffer, "not a key");
                keys.write(buffer, Missing.getInstance());
            }
        });
        java.util.Set<Integer> orders = new java.util.HashSet<>();
        try {
            long until = System.nanoTime() + 2_000_000_000L;
            for (int i = 0; i < 2_000_000 && System.nanoTime() < until; i++) {
                try {
                    orders.add(Integer.signum(ids.compare(first, second)));
                    orders.add(Integer.signum(ids.compare(Missing.getInstance(), first)));
                    orders.add(Integer.signum(ids.compare("ref-1", "ref-2")));
                    orders.add(Integer.signum(ids.compare(7L, 8L)) * 2); // kept apart from the others' signs
                    keys.compare(keyOfMissing, new KeyValue(List.of(first)));
                    keys.compare(Missing.getInstance(), first);
                } catch (RuntimeException e) {
                    failures.add(e);
                    break;
                }
            }
        } finally {
            writing.set(false);
            writer.join();
        }
        assertThat(failures).as("comparisons that failed while a page was written").isEmpty();
        assertThat(orders).as("the same order every time").containsOnly(
                Integer.signum(new ObjectDataType().compare(first, second)),
                Integer.signum(new ObjectDataType().compare(Missing.getInstance(), first)),
                Integer.signum(new ObjectDataType().compare("ref-1", "ref-2")),
                Integer.signum(new ObjectDataType().compare(7L, 8L)) * 2);
    }
}
