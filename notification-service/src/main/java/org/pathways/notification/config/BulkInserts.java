package org.pathways.notification.config;

import java.util.List;

import org.springframework.data.mongodb.BulkOperationException;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * What a batch consumer writes at the end of its batch: documents that a unique index keeps single, inserted in one
 * unordered bulk write, the ones already there (a batch delivered again, or the same made at the same moment
 * elsewhere) refused one by one while the others go in.
 */
public final class BulkInserts {

    private static final int DUPLICATE_KEY = 11000;

    private BulkInserts() {
    }

    /** Inserts {@code documents} into {@code type}'s collection, leaving out those a unique index refuses. */
    public static void insertNew(MongoTemplate mongo, Class<?> type, List<?> documents) {
        if (documents.isEmpty()) {
            return;
        }
        try {
            mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, type).insert(documents).execute();
        } catch (BulkOperationException refused) {
            // Anything but a duplicate fails the batch, which is then delivered again.
            if (refused.getErrors().stream().anyMatch(error -> error.getCode() != DUPLICATE_KEY)) {
                throw refused;
            }
        }
    }
}
