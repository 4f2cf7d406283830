package org.pathways.testing;

import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;

/**
 * mongo-java-server's in-memory backend, whose queries answer with copies of the stored documents, made while the
 * collection's lock is held: the tests' counterpart of the devstack's {@code EmbeddedMongoStore}.
 *
 * <p>The library hands out its stored documents themselves, updates them in place, and encodes a query's answer after
 * the collection's lock is released. A read racing an update of the same document got a torn document, or its answer
 * failed to encode ({@code ConcurrentModificationException}), the server closed the connection, and the driver's pool
 * was "paused because another operation failed" for every other caller: a flake of tests with many writers on one
 * document ({@code ConcurrentFactsTest}). With copies, an update changes a copy; {@link #handleUpdate} then puts the
 * copy's content into the stored document, under the same lock, where no reader holds it.
 *
 * <p>The library also adds an index to a collection without the collection's lock, which its writes hold while they
 * go through its indexes: an index added while a new collection's first writers were at it failed a write
 * ({@code ConcurrentModificationException}, answered as "Unknown error: null"; a flake of {@code ConcurrentFactsTest},
 * whose batches create a new generation's collections and their indexes at once). Here indexes are added and dropped
 * under that lock.
 */
public final class CopyOnReadMemoryBackend extends MemoryBackend {

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new CopyOnReadDatabase(databaseName, getCursorRegistry());
    }

    private static final class CopyOnReadDatabase extends MemoryDatabase {

        CopyOnReadDatabase(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new CopyOnReadCollection(this, collectionName, options, cursorRegistry);
        }
    }

    private static final class CopyOnReadCollection extends MemoryCollection {

        CopyOnReadCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        /** Under the collection's lock, which its writes hold while they go through its indexes. */
        @Override
        public synchronized void addIndex(Index<Integer> index) {
            super.addIndex(index);
        }

        @Override
        public synchronized void dropIndex(String indexName) {
            super.dropIndex(indexName);
        }

        @Override
        public synchronized void addDocumentIfMissing(Document document) {
            super.addDocumentIfMissing(document);
        }

        /**
         * Stores a copy: an upsert's {@code findAndModify} answers with the document it inserted, encoded after the
         * lock is released, so the stored one must not be that object.
         */
        @Override
        protected Integer addDocumentInternal(Document document) {
            return super.addDocumentInternal(document.cloneDeeply());
        }

        @Override
        protected QueryResult createQueryResult(List<Document> matchedDocuments, int batchSize) {
            List<Document> copies = new ArrayList<>(matchedDocuments.size());
            for (Document document : matchedDocuments) {
                copies.add(document.cloneDeeply());
            }
            return super.createQueryResult(copies, batchSize);
        }

        @Override
        protected void handleUpdate(Integer position, Document oldDocument, Document newDocument) {
            Document stored = getDocument(position);
            if (stored != newDocument) {
                stored.clear();
                stored.putAll(newDocument);
            }
        }
    }
}
