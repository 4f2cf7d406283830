package org.pathways.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import org.h2.mvstore.MVMap;

/**
 * The document store of the devstack: mongo-java-server speaking the MongoDB wire protocol, keeping its data in
 * an H2 MVStore file so that it survives restarts. It runs inside the devstack JVM because it is storage, not a
 * service of the platform; a real MongoDB can replace it through MONGODB_URI.
 */
final class EmbeddedMongoStore implements AutoCloseable {

    static final int PORT = 27017;
    static final String URI = "mongodb://localhost:" + PORT;

    private final MongoServer server;
    private final Path file;

    private EmbeddedMongoStore(MongoServer server, Path file) {
        this.server = server;
        this.file = file;
    }

    static EmbeddedMongoStore start(Path file) throws IOException {
        return start(file, PORT);
    }

    /** As {@link #start(Path)}, on another port (tests, next to a running devstack). */
    static EmbeddedMongoStore start(Path file, int port) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        MongoServer server = new MongoServer(new DevstackH2Backend(file.toAbsolutePath().toString()));
        // Change streams read the oplog; services that watch collections need it, others do not notice it.
        server.enableOplog();
        server.bind("localhost", port);
        return new EmbeddedMongoStore(server, file);
    }

    Path file() {
        return file;
    }

    /** Stops listening and closes the H2 backend, which writes the MVStore's last changes to the file. */
    @Override
    public void close() {
        server.shutdown();
    }

    /**
     * The H2 backend, with two corrections to mongo-java-server 1.47:
     * <ul>
     * <li>It answers {@code hello}, the command MongoDB 4.4.2+ answers and the messaging module's transaction check
     * asks first, as it answers the legacy {@code isMaster}: mongo-java-server knows only the latter, and logged every
     * {@code hello} as an error with its stack trace on the console.</li>
     * <li>A query's documents are copies ({@link CopyOnReadCollection}).</li>
     * </ul>
     */
    private static final class DevstackH2Backend extends H2Backend {

        DevstackH2Backend(String file) {
            super(file);
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            if (!"hello".equalsIgnoreCase(command)) {
                return super.handleCommand(channel, databaseName, command, query);
            }
            Document answer = super.handleCommand(channel, databaseName, "isMaster", query);
            answer.put("isWritablePrimary", answer.get("ismaster"));
            return answer;
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new CopyOnReadDatabase(databaseName);
        }

        /**
         * A database whose collections are {@link CopyOnReadCollection}s. An inner class: the library's constructor
         * opens the existing collections before this class's own fields would be set, while the backend (and its
         * MVStore) is there already.
         */
        private final class CopyOnReadDatabase extends H2Database {

            // H2Database's own names for a collection's maps (not visible to subclasses). EmbeddedMongoStoreTest
            // reads what the library's own backend wrote, so a change of them in a new version fails a test.
            private static final String DATA_PREFIX = "databases.";
            private static final String META_PREFIX = "meta.";

            CopyOnReadDatabase(String databaseName) {
                super(databaseName, getMvStore(), getCursorRegistry());
            }

            @Override
            protected MongoCollection<Object> openOrCreateCollection(String collectionName,
                    CollectionOptions options) {
                String fullName = getFullCollectionNamespace(collectionName);
                MVMap<Object, Document> dataMap = getMvStore().openMap(DATA_PREFIX + fullName);
                MVMap<String, Object> metaMap = getMvStore().openMap(META_PREFIX + fullName);
                return new CopyOnReadCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
            }
        }
    }

    /**
     * A collection whose queries return deep copies of its stored documents, made while the collection's lock is
     * held. mongo-java-server hands out the stored documents themselves and updates them in place, and the server
     * encodes a query's answer after the lock is released: a read racing an update of the same document got a torn
     * document (some fields before the update, some after), or its answer failed to encode
     * ({@code ConcurrentModificationException}) and the service's command failed. With copies, an update changes a
     * copy and stores it ({@link H2Collection} puts the updated document back), so a stored document never changes
     * under a reader. Every internal path (find, update, findAndModify, delete, aggregate) goes through here.
     */
    private static final class CopyOnReadCollection extends H2Collection {

        CopyOnReadCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected QueryResult createQueryResult(List<Document> matchedDocuments, int batchSize) {
            List<Document> copies = new ArrayList<>(matchedDocuments.size());
            for (Document document : matchedDocuments) {
                copies.add(document.cloneDeeply());
            }
            return super.createQueryResult(copies, batchSize);
        }
    }
}
