package org.pathways.messaging.store;

import java.util.BitSet;
import java.util.List;

import org.springframework.data.mongodb.BulkOperationException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Documents that a unique index keeps single ({@code _id} or another), inserted in one unordered bulk write: one
 * already there (a batch delivered again, the same made at the same moment elsewhere) is refused on its own while the
 * others go in. Anything else fails as the template's own writes do (a {@code DataAccessException}; a write-concern
 * error too), so that the caller's batch is tried again.
 */
public final class UniqueInserts {

    /** The store's code for a write refused by a unique index. */
    private static final int DUPLICATE_KEY = 11000;

    private UniqueInserts() {
    }

    /** Inserts {@code documents} (mapped objects) into {@code type}'s collection, leaving out those refused. */
    public static BitSet insertNew(MongoTemplate mongo, Class<?> type, List<?> documents) {
        return documents.isEmpty() ? new BitSet() : insert(mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, type),
                documents);
    }

    /**
     * Inserts {@code documents} (BSON documents or mapped objects) into {@code collection}; answers the positions in
     * {@code documents} of those refused as already there.
     */
    public static BitSet insertNew(MongoTemplate mongo, String collection, List<?> documents) {
        return documents.isEmpty() ? new BitSet() : insert(mongo.bulkOps(BulkOperations.BulkMode.UNORDERED,
                collection), documents);
    }

    private static BitSet insert(BulkOperations bulk, List<?> documents) {
        BitSet refused = new BitSet(documents.size());
        try {
            bulk.insert(documents).execute();
        } catch (BulkOperationException some) {
            if (some.getErrors().stream().anyMatch(error -> error.getCode() != DUPLICATE_KEY)) {
                throw some;
            }
            some.getErrors().forEach(error -> refused.set(error.getIndex()));
        }
        return refused;
    }
}
