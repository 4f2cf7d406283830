package org.pathways.devstack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.SingleFileStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

/**
 * The document store of the devstack: mongo-java-server speaking the MongoDB wire protocol, keeping its data in
 * an H2 MVStore file so that it survives restarts. It runs inside the devstack JVM because it is storage, not a
 * service of the platform; a real MongoDB can replace it through MONGODB_URI.
 *
 * <p>Documents are stored as BSON ({@link BsonDocuments}), not as the library's H2 backend stores them (each one
 * through Java serialization): the MVStore writes every changed page whole about once a second, and serializing its
 * documents took three quarters of the store's CPU under a backlog of events, the devstack's largest share
 * (docs/benchmarks.md). A data directory of an older devstack ({@value #LEGACY_FILE}, the library's format) is copied
 * into the new file ({@value #FILE}) once, at the first start that finds no new file, and left in place for the older
 * devstack, which reads the data as it was then.
 *
 * <p>Every write it answers is in its journal ({@link WriteJournal}) before the answer goes out, until the MVStore has
 * written it to the file: a devstack killed hard loses none of them, as the Kafka broker, which keeps its log, loses
 * none of the events published from them.
 */
final class EmbeddedMongoStore implements AutoCloseable {

    static final int PORT = 27017;
    static final String URI = "mongodb://localhost:" + PORT;
    /** The store's file in the data directory's {@code mongo/}, documents as BSON. */
    static final String FILE = "documents.mv";
    /** An older devstack's file (the library's format, documents Java-serialized). */
    static final String LEGACY_FILE = "pathways.mv";
    /** The MVStore's page cache: the default (16 MB) read a backlog's documents back from the file again and again. */
    private static final int CACHE_MB = 48;
    /**
     * How much may change, and for how long, before the MVStore writes its changed pages to the file. Each write of a
     * changed page encodes it whole, every document of it (up to 48), and under a backlog of events a service's inbox
     * entries, keyed by random event ids, land on every page of the inbox: the more often the pages are written, the
     * more often the same unchanged documents are encoded. At the defaults (1 MB, 1 s) a backlog had the store rewrite
     * the same pages many times a second; at 16 MB, once a second, the page writes were still 39 % of the store's CPU
     * (six documents encoded per document inserted, in EmbeddedMongoStoreTest's conditions). At 64 MB and 3 s: about
     * one. What a devstack killed hard (SIGKILL, the OOM killer) acknowledged meanwhile is in the store's journal
     * ({@link WriteJournal}), written every 3 s by the store's checkpoints rather than the MVStore's own timer; a power
     * cut still loses the writes of the last seconds; a stop with Ctrl-C writes everything, as before.
     */
    private static final int AUTO_COMMIT_BUFFER_KB = 64 * 1024;
    static final int AUTO_COMMIT_DELAY_MS = 3_000;
    /** The collections' documents: their maps' names start with this (H2Database's own naming). */
    private static final String DATA_PREFIX = "databases.";
    /** The older store's oplog's database (its oplog: a document of every write ever made), not copied. */
    private static final String LOCAL = "local.";
    /** The store's own map in the file, not a database's: which format the file is in. */
    static final String FORMAT_MAP = "pathways-devstack.format";
    /** 1: documents as BSON, index keys and ids as the data types below write them. */
    private static final int FORMAT = 1;
    /** A unique index's map: {@code <database>.<collection>._index_<index>} (H2Database's naming). */
    private static final String INDEX_INFIX = "._index_";

    private final MongoServer server;
    private final KeptBufferFileStore fileStore;
    private final Path file;
    private final long moved;
    private final long replayed;
    private final WriteJournal journal;
    private final java.util.concurrent.ScheduledExecutorService checkpoints;

    private EmbeddedMongoStore(MongoServer server, KeptBufferFileStore fileStore, Path file, long moved,
            long replayed, WriteJournal journal, java.util.concurrent.ScheduledExecutorService checkpoints) {
        this.server = server;
        this.fileStore = fileStore;
        this.file = file;
        this.moved = moved;
        this.replayed = replayed;
        this.journal = journal;
        this.checkpoints = checkpoints;
    }

    static EmbeddedMongoStore start(Path file) throws IOException {
        return start(file, PORT);
    }

    /** As {@link #start(Path)}, on another port (tests, next to a running devstack). */
    static EmbeddedMongoStore start(Path file, int port) throws IOException {
        return start(file, port, true);
    }

    /**
     * As before the journal (2026-12-07): a kill loses the writes since the last page write. Only for the benchmark's
     * comparison ({@code StoreJournalFigures}) and to show what the journal changes.
     */
    static EmbeddedMongoStore startWithoutJournal(Path file, int port) throws IOException {
        return start(file, port, false);
    }

    private static EmbeddedMongoStore start(Path file, int port, boolean journaled) throws IOException {
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        long moved = moveFromLegacyFile(absolute);
        if (!Files.exists(absolute)) {
            WriteJournal.delete(absolute); // a journal without its file: nothing to add it to
        }
        MVStore mvStore = open(absolute);
        DevstackH2Backend backend = new DevstackH2Backend(mvStore);
        long replayed;
        WriteJournal journal = null;
        java.util.concurrent.ScheduledExecutorService checkpoints = null;
        try {
            // What a killed process acknowledged after its last page write, before anyone is answered.
            try {
                replayed = backend.replay(WriteJournal.read(absolute));
            } catch (RuntimeException e) {
                throw new IOException("could not take the writes a killed devstack left in its store's journal ("
                        + absolute.getFileName() + ".journal.*, next to " + absolute + "): " + e
                        + "; move those files aside to start without them", e);
            }
            mvStore.commit();
            if (!journaled) {
                WriteJournal.delete(absolute);
            } else {
                journal = WriteJournal.start(absolute);
                backend.journalTo(journal);
                // The checkpoints write the pages every AUTO_COMMIT_DELAY_MS; the MVStore's own timer, later, only if
                // they stopped. Its writes at 64 MB of changes stay as they were.
                mvStore.setAutoCommitDelay(2 * AUTO_COMMIT_DELAY_MS);
                checkpoints = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().name("store-checkpoints").daemon().factory());
                checkpoints.scheduleWithFixedDelay(backend::checkpoint, AUTO_COMMIT_DELAY_MS, AUTO_COMMIT_DELAY_MS,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            MongoServer server = new MongoServer(backend);
            // No oplog: no service watches a collection (change streams read it), and it was one more document
            // written with every write (as SharedInfrastructure's store in the services' tests, which has none).
            server.bind("localhost", port);
            return new EmbeddedMongoStore(server, (KeptBufferFileStore) mvStore.getFileStore(), file, moved,
                    replayed, journal, checkpoints);
        } catch (RuntimeException | IOException e) {
            if (checkpoints != null) {
                checkpoints.shutdownNow();
            }
            if (journal != null) {
                journal.close();
            }
            mvStore.closeImmediately();
            throw e;
        }
    }

    /**
     * How many documents this start took from the journal a killed devstack left (written or deleted after its last
     * page write); 0 after a clean stop.
     */
    long replayedFromJournal() {
        return replayed;
    }

    Path file() {
        return file;
    }

    /** The capacity of the largest buffer kept for writes of changed pages ({@link KeptBufferFileStore}), 0 if none. */
    int largestKeptWriteBuffer() {
        return fileStore.largestKept();
    }

    /** How many writes of changed pages took the buffer an earlier one left ({@link KeptBufferFileStore}). */
    long keptWriteBufferReuses() {
        return fileStore.reuses();
    }

    /** How many documents this start copied from an older devstack's file; -1 if it found none to copy. */
    long movedFromLegacyFile() {
        return moved;
    }

    /**
     * The older devstack's file next to {@code file} copied into {@code file} in the new format, if there is one and
     * {@code file} does not exist yet: how many documents were copied (of the collections, not the store's own
     * {@code system.*} ones), or -1 when there was nothing to copy. Written to
     * a partial file first, so that an interrupted copy is made again from the start.
     */
    static long moveFromLegacyFile(Path file) throws IOException {
        Path legacy = file.resolveSibling(LEGACY_FILE);
        if (Files.exists(file) || !Files.isRegularFile(legacy)) {
            return -1;
        }
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        long documents = 0;
        try {
            MVStore from = new MVStore.Builder().fileName(legacy.toString()).readOnly().open();
            try {
                MVStore to = new MVStore.Builder().fileName(partial.toString()).autoCommitDisabled().open();
                try {
                    for (String name : from.getMapNames()) {
                        if (name.startsWith(DATA_PREFIX + LOCAL) || name.startsWith("meta." + LOCAL)
                                || name.startsWith(LOCAL)) {
                            continue; // the oplog's database: none any more; an older one kept every write ever made
                        }
                        MVMap<Object, Object> source = from.openMap(name);
                        MVMap<Object, Object> target = openTyped(to, name);
                        long copied = 0;
                        for (Map.Entry<Object, Object> entry : source.entrySet()) {
                            target.put(entry.getKey(), entry.getValue());
                            documents += name.startsWith(DATA_PREFIX) && !name.contains(".system.") ? 1 : 0;
                            // Written as it goes: unsaved pages stay on the heap, and the devstack's is small.
                            if (++copied % 10_000 == 0) {
                                to.commit();
                            }
                        }
                        to.commit();
                    }
                    markFormat(to);
                    to.commit();
                } finally {
                    to.close();
                }
            } finally {
                from.close();
            }
        } catch (RuntimeException e) {
            Files.deleteIfExists(partial);
            throw new IOException("could not copy the store's older file " + legacy + " into " + file + " (" + e
                    + "); move " + legacy.getFileName() + " aside to start with an empty store", e);
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        return documents;
    }

    /** A map of the store's file, typed as the store opens it (an index's keys in the order its lookups expect). */
    private static MVMap<Object, Object> openTyped(MVStore store, String name) {
        if (name.startsWith(DATA_PREFIX)) {
            return store.openMap(name, new MVMap.Builder<Object, Object>().keyType(new Ids())
                    .valueType(BsonDocuments.ANY));
        }
        if (name.contains(INDEX_INFIX)) {
            return store.openMap(name, new MVMap.Builder<Object, Object>().keyType(new IndexKeys())
                    .valueType(new Ids()));
        }
        return store.openMap(name);
    }

    /**
     * Marks the file with the format this store writes, or refuses a file of a newer one (whose maps it would misread)
     * with what to do instead.
     */
    private static void markFormat(MVStore store) {
        MVMap<String, Object> format = store.openMap(FORMAT_MAP);
        Object written = format.get("version");
        if (written instanceof Integer version && version > FORMAT) {
            throw new IllegalStateException(store.getFileStore().getFileName() + " was written by a newer devstack "
                    + "(store format " + version + ", this one reads " + FORMAT + "): run that version, or delete the "
                    + "file to start with an empty store");
        }
        if (!Integer.valueOf(FORMAT).equals(written)) {
            format.put("version", FORMAT);
        }
    }

    private static MVStore open(Path file) {
        Map<String, Object> config = new java.util.HashMap<>();
        config.put("cacheSize", CACHE_MB);
        KeptBufferFileStore fileStore = new KeptBufferFileStore(config);
        fileStore.open(file.toString(), false, null);
        MVStore store;
        try {
            store = new MVStore.Builder().adoptFileStore(fileStore)
                    .autoCommitBufferSize(AUTO_COMMIT_BUFFER_KB).open();
        } catch (RuntimeException e) {
            fileStore.close();
            throw e;
        }
        store.setAutoCommitDelay(AUTO_COMMIT_DELAY_MS);
        try {
            markFormat(store);
        } catch (IllegalStateException newer) {
            store.closeImmediately();
            throw newer;
        }
        return store;
    }

    /**
     * The store's file, whose page writes keep their buffer. The MVStore serializes each write of its changed pages
     * (every 3 s or 64 MB) into a buffer it takes from its file store, and keeps for the next write only a buffer of up
     * to 4 MB: a bigger one, as every write under a backlog of events is, grew again from 1 MB by half its size at a
     * time (each step a new array and a copy), a quarter of all the store's allocations in a flight recording under
     * issue 14's backlog, and the big arrays filled the old generation: full collections every few seconds
     * (docs/benchmarks.md, 2026-12-06). Here the largest buffer a write needed is kept for the next (at most
     * {@value #KEPT_MB} MB; a bigger one is let go, as before): a write no bigger than the largest before it grows no
     * buffer, unless it starts while the one before is still being saved (it then takes the library's own).
     */
    static final class KeptBufferFileStore extends SingleFileStore {

        /** The largest page-write buffer kept between writes. */
        static final int KEPT_MB = 256;
        /** The library's own bound on a buffer it keeps (FileStore.releaseWriteBuffer). */
        private static final int LIBRARY_KEEPS = 4 * 1024 * 1024;

        private final java.util.concurrent.atomic.AtomicReference<WriteBuffer> kept =
                new java.util.concurrent.atomic.AtomicReference<>();
        private final java.util.concurrent.atomic.AtomicInteger largestKept =
                new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicLong reuses = new java.util.concurrent.atomic.AtomicLong();

        KeptBufferFileStore(Map<String, Object> config) {
            super(config);
        }

        @Override
        public WriteBuffer getWriteBuffer() {
            // One holder at a time: a write that starts while another still holds it takes the library's own.
            WriteBuffer buffer = kept.getAndSet(null);
            if (buffer == null) {
                return super.getWriteBuffer();
            }
            reuses.incrementAndGet();
            return buffer.clear();
        }

        @Override
        public void releaseWriteBuffer(WriteBuffer buffer) {
            int capacity = buffer.capacity();
            if (capacity <= LIBRARY_KEEPS || capacity > KEPT_MB * 1024 * 1024) {
                super.releaseWriteBuffer(buffer);
                return;
            }
            // WriteBuffer.clear() takes a buffer that grew past 4 MB back to the array it had before growing; at a
            // limit of 0 it keeps the array it has, so the size a write reached is kept without a copy.
            WriteBuffer released = buffer.limit(0).clear();
            kept.accumulateAndGet(released, (current, offered) ->
                    current == null || current.capacity() < offered.capacity() ? offered : current);
            largestKept.accumulateAndGet(capacity, Math::max);
        }

        /** The capacity of the largest buffer kept so far (0: none yet). */
        int largestKept() {
            return largestKept.get();
        }

        /** How many writes took the kept buffer. */
        long reuses() {
            return reuses.get();
        }
    }

    /**
     * Stops listening and closes the H2 backend, which writes the MVStore's last changes to the file; then the
     * journal has nothing the file lacks and is deleted.
     */
    @Override
    public void close() {
        if (checkpoints != null) {
            checkpoints.shutdown();
            try {
                checkpoints.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        server.shutdown();
        if (journal != null) {
            journal.close();
            try {
                WriteJournal.delete(file.toAbsolutePath());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // kept: replayed at the next start, to the same effect
            }
        }
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
    /**
     * How many commands the store has answered since it started, by database, command and collection: what each
     * service asks of the store, for the benchmarks ({@code DevstackHandoffFigures} prints them per referral) and for
     * anyone looking into a slow devstack. Any client reads them with the command {@value #COMMAND} on any database
     * ({@code db.runCommand({pathwaysCommandCounts: 1})} in a shell), as {@code {counts: [{database, command,
     * collection, count}…], ok: 1}}; counting costs an increment per command. Names only, never values.
     */
    static final class CommandCounts {

        static final String COMMAND = "pathwaysCommandCounts";

        private record Key(String database, String command, String collection) {
        }

        private final Map<Key, java.util.concurrent.atomic.LongAdder> counts =
                new java.util.concurrent.ConcurrentHashMap<>();

        /**
         * Not a command: a query (of a find, an update, a delete…) that no unique index could serve, so that it read
         * every document of its collection. The embedded store ignores the other indexes; MongoDB would use them.
         */
        static final String SCAN = "scan";

        void count(String database, String command, Document query) {
            // A command names its collection as its first field's value (find, insert, update, findAndModify…).
            Object collection = query.get(command);
            count(database, command, collection instanceof String name ? name : "");
        }

        void count(String database, String command, String collection) {
            counts.computeIfAbsent(new Key(database, command, collection),
                    k -> new java.util.concurrent.atomic.LongAdder()).increment();
        }

        Document answer() {
            List<Document> all = new ArrayList<>();
            counts.forEach((key, count) -> all.add(new Document("database", key.database())
                    .append("command", key.command()).append("collection", key.collection())
                    .append("count", count.sum())));
            return new Document("counts", all).append("ok", 1.0);
        }
    }

    private static final class DevstackH2Backend extends H2Backend {

        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EmbeddedMongoStore.class);

        /** Commands that change documents only: journaled ({@link WriteJournal}). */
        private static final java.util.Set<String> WRITES = caseInsensitive("insert", "update", "delete",
                "findAndModify");
        /** Commands that change nothing in the file. */
        private static final java.util.Set<String> READS = caseInsensitive("find", "getMore", "killCursors", "count",
                "distinct", "aggregate", "listCollections", "listIndexes", "listDatabases", "hello", "isMaster",
                "buildInfo", "ping", "whatsmyuri", "serverStatus", "dbStats", "collStats", "getLastError",
                "resetError", "endSessions", "getParameter", "getCmdLineOpts", "getLog", "hostInfo",
                "connectionStatus", "replSetGetStatus", "getFreeMonitoringStatus", "validate",
                CommandCounts.COMMAND);

        private static java.util.Set<String> caseInsensitive(String... commands) {
            java.util.Set<String> set = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            set.addAll(List.of(commands));
            return set;
        }

        DevstackH2Backend(MVStore store) {
            super(store);
        }

        private final CommandCounts counts = new CommandCounts();
        /** Set once the journal left by a killed process is replayed; read by every collection's writes. */
        private volatile WriteJournal journal;
        /**
         * Held shared by writes of documents, exclusively by anything else that changes the file (a collection or an
         * index created, dropped or renamed), which then has the pages written and the journal dropped at once: the
         * journal holds documents only, and none of it may cross such a change.
         */
        private final java.util.concurrent.locks.ReadWriteLock schema =
                new java.util.concurrent.locks.ReentrantReadWriteLock();

        void journalTo(WriteJournal journal) {
            this.journal = journal;
        }

        /** The pages written and the journal dropped ({@link WriteJournal#checkpoint}); every few seconds. */
        void checkpoint() {
            try {
                // The journal changes files while no write is half done (a document written, its index entries
                // not yet): the pages written next then hold every write of the old file whole.
                journal.checkpoint(getMvStore()::commit, schema.writeLock());
            } catch (RuntimeException e) {
                // Logged, and tried again at the next: the journal keeps everything meanwhile.
                LOG.error("could not write the store's pages and drop its journal", e);
            }
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            if (CommandCounts.COMMAND.equals(command)) {
                return counts.answer();
            }
            counts.count(databaseName, command, query);
            WriteJournal journal = this.journal;
            if (journal == null || READS.contains(command) && !writesByAggregation(command, query)) {
                return answer(channel, databaseName, command, query);
            }
            if (WRITES.contains(command)) {
                java.util.concurrent.locks.Lock writes = schema.readLock();
                writes.lock();
                try {
                    try {
                        return answer(channel, databaseName, command, query);
                    } finally {
                        journal.flush(); // to the OS before the answer goes out
                    }
                } finally {
                    writes.unlock(); // even when the journal could not be written (a full disk)
                }
            }
            java.util.concurrent.locks.Lock change = schema.writeLock();
            change.lock();
            try {
                try {
                    return answer(channel, databaseName, command, query);
                } finally {
                    journal.checkpoint(getMvStore()::commit, change);
                }
            } finally {
                change.unlock();
            }
        }

        private static boolean writesByAggregation(String command, Document query) {
            if (!"aggregate".equalsIgnoreCase(command) || !(query.get("pipeline") instanceof List<?> pipeline)) {
                return false;
            }
            return pipeline.stream().anyMatch(stage -> stage instanceof Document document
                    && (document.containsKey("$out") || document.containsKey("$merge")));
        }

        private Document answer(Channel channel, String databaseName, String command, Document query) {
            if (!"hello".equalsIgnoreCase(command)) {
                return super.handleCommand(channel, databaseName, command, query);
            }
            Document answer = super.handleCommand(channel, databaseName, "isMaster", query);
            answer.put("isWritablePrimary", answer.get("ismaster"));
            return answer;
        }

        /**
         * The documents a killed process's journal names, made as it last left them: first every trace of them
         * removed, then the ones it last wrote added, so that no unique key is held twice on the way. The file may
         * hold each of them as it was at any moment since the journal began, and not even the same moment in each of
         * a collection's maps: the MVStore writes one map's pages after another's while writes go on, so a document
         * can be in its index and not in its collection, or in neither with an older version's key left in an index
         * ({@link CopyOnReadCollection#forget}). Added through the collections, as a write's own, so that their
         * indexes follow; before the journal is set, so that none of this is journaled again.
         */
        long replay(Map<WriteJournal.Collection, Map<Object, Document>> journaled) {
            long documents = 0;
            for (Map.Entry<WriteJournal.Collection, Map<Object, Document>> entry : journaled.entrySet()) {
                CopyOnReadDatabase database = (CopyOnReadDatabase) resolveDatabase(entry.getKey().database());
                MongoCollection<Object> collection = database.collection(entry.getKey().name());
                Set<Object> positions = new java.util.HashSet<>();
                for (Object id : entry.getValue().keySet()) {
                    positions.add(Missing.ofNullable(id)); // as the library keys a document whose _id is null
                }
                ((CopyOnReadCollection) collection).forget(positions);
                for (Document document : entry.getValue().values()) {
                    if (document != null) {
                        collection.addDocument(document);
                    }
                }
                documents += entry.getValue().size();
            }
            return documents;
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
            private static final String META_PREFIX = "meta.";

            CopyOnReadDatabase(String databaseName) {
                super(databaseName, getMvStore(), getCursorRegistry());
            }

            /** The collection, created as a write creates it if it is not there. */
            MongoCollection<Object> collection(String collectionName) {
                return resolveOrCreateCollection(collectionName);
            }

            @Override
            protected MongoCollection<Object> openOrCreateCollection(String collectionName,
                    CollectionOptions options) {
                String fullName = getFullCollectionNamespace(collectionName);
                MVMap<Object, Document> dataMap = getMvStore().openMap(DATA_PREFIX + fullName,
                        new MVMap.Builder<Object, Document>().keyType(new Ids()).valueType(BsonDocuments.INSTANCE));
                MVMap<String, Object> metaMap = getMvStore().openMap(META_PREFIX + fullName);
                // The backend's counts are looked up at each scan: the library's constructor opens the collections
                // the file has, and reads its own, before the backend's fields are set (those reads are not counted).
                String database = getDatabaseName();
                return new CopyOnReadCollection(this, collectionName, options, dataMap, metaMap, cursorRegistry,
                        () -> {
                            CommandCounts commandCounts = counts;
                            if (commandCounts != null) {
                                commandCounts.count(database, CommandCounts.SCAN, collectionName);
                            }
                        }, () -> journal);
            }

            /** A unique index whose keys compare without serializing them ({@link IndexKeys}). */
            @Override
            protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName,
                    List<IndexKey> keys, boolean sparse) {
                MVMap<KeyValue, Object> map = getMvStore().openMap(
                        getFullCollectionNamespace(collectionName) + INDEX_INFIX + indexName,
                        new MVMap.Builder<KeyValue, Object>().keyType(new IndexKeys()).valueType(new Ids()));
                return new UniqueIndex(map, indexName, keys, sparse);
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

        private final MVMap<Object, Document> dataMap;
        private final Runnable scans;
        private final java.util.function.Supplier<WriteJournal> journal;

        CopyOnReadCollection(MongoDatabase database, String collectionName, CollectionOptions options,
                MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry,
                Runnable scans, java.util.function.Supplier<WriteJournal> journal) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
            this.dataMap = dataMap;
            this.scans = scans;
            this.journal = journal;
        }

        /**
         * Every trace of the documents at these positions: each document, and every index entry that points at one,
         * whatever version of it the key was made from. One pass over each unique index (only a start after a kill
         * does this, for the collections its journal names).
         */
        synchronized void forget(Set<Object> positions) {
            for (Index<Object> index : getIndexes()) {
                if (index instanceof UniqueIndex unique) {
                    unique.forget(positions);
                }
            }
            for (Object position : positions) {
                Document removed = dataMap.remove(position);
                if (removed != null) {
                    updateDataSize(-bsonSize(removed)); // as the library's own removal counts it
                }
            }
        }

        private static int bsonSize(Document document) {
            ByteBuf bson = Unpooled.buffer();
            try {
                BsonEncoder.encodeDocument(document, bson);
                return bson.readableBytes();
            } finally {
                bson.release();
            }
        }

        /*
         * Every change of a stored document passes one of the three below, under the collection's lock (every write
         * method of the collection holds it): journaled there, in the order applied. The library's own collections
         * (system.namespaces, system.indexes) are not: what changes them is a change of the file's collections or
         * indexes, which has the pages written at once, or a collection's creation by its first write, which its
         * document's replay makes again.
         */

        @Override
        protected Object addDocumentInternal(Document document) {
            Object position = super.addDocumentInternal(document);
            WriteJournal to = journaled();
            if (to != null) {
                to.put(getDatabaseName(), getCollectionName(), document);
            }
            return position;
        }

        @Override
        protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
            super.handleUpdate(position, oldDocument, newDocument);
            WriteJournal to = journaled();
            if (to != null) {
                to.put(getDatabaseName(), getCollectionName(), newDocument);
            }
        }

        @Override
        protected void removeDocument(Object position) {
            super.removeDocument(position);
            WriteJournal to = journaled();
            if (to != null) {
                // The library keys a document whose _id is null by Missing
                to.remove(getDatabaseName(), getCollectionName(),
                        position == Missing.getInstance() ? null : position);
            }
        }

        private WriteJournal journaled() {
            WriteJournal to = journal.get();
            return to != null && "_id".equals(getIdField()) && !getCollectionName().startsWith("system.") ? to : null;
        }

        /**
         * Under the collection's lock, which its writes hold while they go through its indexes. The library adds an
         * index without it: one added while a new collection's first writers were at it failed a write part-way
         * ({@code ConcurrentModificationException}, answered as "Unknown error: null").
         */
        @Override
        public synchronized void addIndex(Index<Object> index) {
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
         * A query no unique index serves reads every document of the collection: counted as a "scan". Except one
         * that names an {@code _id} beside other conditions (a guarded write: {@code {_id, sequence}}, {@code $and}
         * of {@code _id} and a lease), which the library's index does not take (it serves a query of its own keys
         * only) and MongoDB's {@code _id} index does: the one document it can match is read by its id.
         */
        @Override
        protected QueryResult matchDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                int batchSize, Document fieldSelector) {
            Object id = "_id".equals(getIdField()) ? idNamed(query) : null; // a collection keyed by its ids
            if (id != null) {
                List<Object> positions = dataMap.containsKey(id) ? List.of(id) : List.of();
                return matchDocuments(query, positions, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            scans.run();
            return super.matchDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /**
         * The {@code _id} a query asks for by equality, at its top level or in a top-level {@code $and}; only a
         * string or an {@code ObjectId}: a number equals numbers of other types (5 and 5L), which the collection's
         * keys do not.
         */
        static Object idNamed(Document query) {
            Object id = query.get("_id");
            if (id instanceof String || id instanceof de.bwaldvogel.mongo.bson.ObjectId) {
                return id;
            }
            if (id == null && query.get("$and") instanceof List<?> all) {
                for (Object part : all) {
                    if (part instanceof Document condition && (condition.get("_id") instanceof String
                            || condition.get("_id") instanceof de.bwaldvogel.mongo.bson.ObjectId)) {
                        return condition.get("_id");
                    }
                }
            }
            return null;
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

    /**
     * The library's unique index on an H2 map ({@code H2UniqueIndex}, whose constructor is not public), on a map whose
     * keys are {@link IndexKeys}.
     */
    private static final class UniqueIndex extends AbstractUniqueIndex<Object> {

        private final MVMap<KeyValue, Object> map;

        UniqueIndex(MVMap<KeyValue, Object> map, String name, List<IndexKey> keys, boolean sparse) {
            super(name, keys, sparse);
            this.map = map;
        }

        @Override
        protected Object removeDocument(KeyValue key) {
            return map.remove(key);
        }

        /**
         * Removes every key that points at one of these positions. A {@code Missing} (the position of a document whose
         * {@code _id} is null) is the library's one instance, except as read from a file copied from an older one
         * (Java-serialized there): taken for the one.
         */
        synchronized void forget(Set<Object> positions) {
            List<KeyValue> keys = new ArrayList<>();
            for (Map.Entry<KeyValue, Object> entry : map.entrySet()) {
                Object position = entry.getValue() instanceof Missing ? Missing.getInstance() : entry.getValue();
                if (positions.contains(position)) {
                    keys.add(entry.getKey());
                }
            }
            keys.forEach(map::remove);
        }

        @Override
        protected boolean putKeyPosition(KeyValue key, Object position) {
            return map.putIfAbsent(key, Missing.ofNullable(position)) == null;
        }

        @Override
        protected Iterable<Map.Entry<KeyValue, Object>> getIterable() {
            return map.entrySet();
        }

        @Override
        protected Object getPosition(KeyValue key) {
            return map.get(key);
        }

        @Override
        public long getCount() {
            return map.sizeAsLong();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public long getDataSize() {
            return getCount();
        }
    }

    /**
     * The MVStore's own {@link ObjectDataType}, with two objects it keeps Java-serialized (an {@code ObjectId}, a
     * {@code Missing}) compared in its own order but without its state. Its comparison of two such objects asks its
     * last-used type for each of them and fails ("Can not compare") when the two answers differ, and a page written at
     * the same time (every write of a key sets that type) changes the answer between the two questions: one upsert in
     * a few thousand failed while the store wrote its pages. The order is the MVStore's own, so a file it wrote reads
     * the same: a comparable object by its {@code compareTo}, anything else by its serialized bytes; two strings,
     * integers or longs as its types for them compare them (their {@code compareTo}), since it finds those types through
     * the same state. Left to the MVStore: values of two different kinds (ordered by kind, without that state), and two
     * of a rarer kind (doubles, dates…). Its writes of a key find their type through that state too; a map's keys of one
     * kind beside {@code ObjectId}s (which {@link Ids} writes itself), as every collection here has, never change it.
     */
    abstract static class SafelyComparedObjects extends ObjectDataType {

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public int compare(Object a, Object b) {
            if (a == b) {
                return 0;
            }
            if (a == null || b == null) {
                return super.compare(a, b); // ordered by kind, as before
            }
            if (a.getClass() == b.getClass() && (a instanceof String || a instanceof Integer || a instanceof Long)) {
                // As the MVStore's own types for them compare them, without asking its last type which one to use.
                return ((Comparable) a).compareTo(b);
            }
            if (!serialized(a) || !serialized(b)) {
                return super.compare(a, b);
            }
            if (a instanceof Comparable comparable && a.getClass().isAssignableFrom(b.getClass())) {
                return comparable.compareTo(b);
            }
            if (b instanceof Comparable comparable && b.getClass().isAssignableFrom(a.getClass())) {
                return -comparable.compareTo(a);
            }
            return compareNotNull(serialize(a), serialize(b));
        }

        /** Whether the MVStore has no type of its own for it, and Java-serializes it (its {@code getTypeId}). */
        static boolean serialized(Object value) {
            return value != null && !(value instanceof Integer || value instanceof String || value instanceof Long
                    || value instanceof Double || value instanceof Float || value instanceof Boolean
                    || value instanceof java.util.UUID || value instanceof Byte || value instanceof Short
                    || value instanceof Character || value.getClass() == java.util.Date.class
                    || value.getClass() == java.math.BigInteger.class || value.getClass() == java.math.BigDecimal.class
                    || value.getClass().isArray());
        }
    }

    /**
     * Documents' ids: the keys of a collection's map and the values of its unique indexes (where each key points).
     * The MVStore writes strings and numbers compactly itself but Java-serializes an {@code ObjectId}, and the
     * {@code Missing} a sparse index points at; those two are written here. Compared as the MVStore compares them.
     * One per map, as the MVStore's own.
     */
    static final class Ids extends SafelyComparedObjects {

        private static final byte OBJECT_ID = (byte) 0xF1;
        private static final byte MISSING = (byte) 0xF2;

        @Override
        public void write(WriteBuffer buffer, Object id) {
            if (id != null && id.getClass() == de.bwaldvogel.mongo.bson.ObjectId.class) {
                buffer.put(OBJECT_ID).put(((de.bwaldvogel.mongo.bson.ObjectId) id).toByteArray());
            } else if (id == Missing.getInstance()) {
                buffer.put(MISSING);
            } else {
                super.write(buffer, id);
            }
        }

        @Override
        public Object read(ByteBuffer buffer) {
            byte tag = buffer.get(buffer.position());
            if (tag == OBJECT_ID) {
                buffer.get();
                return readObjectId(buffer);
            }
            if (tag == MISSING) {
                buffer.get();
                return Missing.getInstance();
            }
            return super.read(buffer);
        }

        /** An {@code ObjectId} from its 12 bytes (as {@code IndexKeys} writes one inside a key too). */
        static de.bwaldvogel.mongo.bson.ObjectId readObjectId(ByteBuffer buffer) {
            byte[] id = new byte[12];
            buffer.get(id);
            return new de.bwaldvogel.mongo.bson.ObjectId(id);
        }

        @Override
        public int getMemory(Object id) {
            return id instanceof de.bwaldvogel.mongo.bson.ObjectId || id == Missing.getInstance() ? 32
                    : super.getMemory(id);
        }
    }

    /**
     * A unique index's keys ({@link KeyValue}s), written value by value with each value's exact class (rarer kinds of
     * value Java-serialized, as the MVStore writes any object), and compared value by value. The MVStore would
     * Java-serialize a whole key to write it, and read it back the same way from every page it reads, and it compares
     * keys of a class that is not {@link Comparable}, as {@link KeyValue} is not, by serializing both: every step of
     * every lookup's binary search serialized two keys, a quarter of the store's CPU under a backlog of events, and
     * the writes and reads of pages half of the rest. The order only has to be a total one that calls two
     * keys the same exactly when they are equal, as the library's lookups by key expect: comparable values of one
     * class by their own order (ties that are not equal, as 2.0 and 2.00, by their text), values of two classes by the
     * classes' names, anything else as the MVStore compares it. One per map, as the MVStore's own: it remembers the
     * last kind of value it wrote.
     */
    static final class IndexKeys extends SafelyComparedObjects {

        /** Marks a key written here; the MVStore's own tags end at 119. */
        private static final byte KEY = (byte) 0xF0;
        private static final byte NULL = 0;
        private static final byte MISSING = 1;
        private static final byte STRING = 2;
        private static final byte INTEGER = 3;
        private static final byte LONG = 4;
        private static final byte DOUBLE = 5;
        private static final byte TRUE = 6;
        private static final byte FALSE = 7;
        private static final byte OBJECT_ID = 8;
        private static final byte INSTANT = 9;
        private static final byte DATE = 10;
        /** Any other value, Java-serialized as the MVStore writes it. */
        private static final byte SERIALIZED = 99;

        /** A rough size in memory, for the page cache's accounting (the MVStore's own serializes the key to tell). */
        @Override
        public int getMemory(Object key) {
            if (!(key instanceof KeyValue values)) {
                return super.getMemory(key);
            }
            int size = 48;
            for (Object value : values) {
                size += value instanceof String text ? 40 + 2 * text.length() : 32;
            }
            return size;
        }

        @Override
        public void write(WriteBuffer buffer, Object key) {
            if (!(key instanceof KeyValue values)) {
                super.write(buffer, key);
                return;
            }
            buffer.put(KEY).putVarInt(values.size());
            for (Object value : values) {
                writeValue(buffer, value);
            }
        }

        /** Each value tagged with its exact class, so that it reads back as the same, equal object. */
        private static void writeValue(WriteBuffer buffer, Object value) {
            if (value == null) {
                buffer.put(NULL);
            } else if (value == Missing.getInstance()) {
                buffer.put(MISSING);
            } else if (value.getClass() == String.class) {
                String text = (String) value;
                buffer.put(STRING).putVarInt(text.length()).putStringData(text, text.length());
            } else if (value.getClass() == Integer.class) {
                buffer.put(INTEGER).putInt((Integer) value);
            } else if (value.getClass() == Long.class) {
                buffer.put(LONG).putLong((Long) value);
            } else if (value.getClass() == Double.class) {
                buffer.put(DOUBLE).putDouble((Double) value);
            } else if (value.getClass() == Boolean.class) {
                buffer.put((Boolean) value ? TRUE : FALSE);
            } else if (value.getClass() == de.bwaldvogel.mongo.bson.ObjectId.class) {
                buffer.put(OBJECT_ID).put(((de.bwaldvogel.mongo.bson.ObjectId) value).toByteArray());
            } else if (value.getClass() == java.time.Instant.class) {
                java.time.Instant instant = (java.time.Instant) value;
                buffer.put(INSTANT).putLong(instant.getEpochSecond()).putInt(instant.getNano());
            } else if (value.getClass() == java.util.Date.class) {
                buffer.put(DATE).putLong(((java.util.Date) value).getTime());
            } else {
                byte[] serialized = ObjectDataType.serialize(value);
                buffer.put(SERIALIZED).putVarInt(serialized.length).put(serialized);
            }
        }

        @Override
        public Object read(ByteBuffer buffer) {
            if (buffer.get(buffer.position()) != KEY) {
                return super.read(buffer);
            }
            buffer.get();
            int size = org.h2.mvstore.DataUtils.readVarInt(buffer);
            List<Object> values = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                values.add(readValue(buffer));
            }
            return new KeyValue(values);
        }

        private static Object readValue(ByteBuffer buffer) {
            byte tag = buffer.get();
            return switch (tag) {
                case NULL -> null;
                case MISSING -> Missing.getInstance();
                case STRING -> org.h2.mvstore.DataUtils.readString(buffer);
                case INTEGER -> buffer.getInt();
                case LONG -> buffer.getLong();
                case DOUBLE -> buffer.getDouble();
                case TRUE -> Boolean.TRUE;
                case FALSE -> Boolean.FALSE;
                case OBJECT_ID -> Ids.readObjectId(buffer);
                case INSTANT -> java.time.Instant.ofEpochSecond(buffer.getLong(), buffer.getInt());
                case DATE -> new java.util.Date(buffer.getLong());
                case SERIALIZED -> {
                    byte[] serialized = new byte[org.h2.mvstore.DataUtils.readVarInt(buffer)];
                    buffer.get(serialized);
                    yield ObjectDataType.deserialize(serialized);
                }
                default -> throw new IllegalStateException("not a key value written by the devstack's store: " + tag);
            };
        }

        @Override
        public int compare(Object a, Object b) {
            if (a instanceof KeyValue left && b instanceof KeyValue right) {
                int sizes = Integer.compare(left.size(), right.size());
                if (sizes != 0) {
                    return sizes;
                }
                for (int i = 0; i < left.size(); i++) {
                    int values = compareValues(left.get(i), right.get(i));
                    if (values != 0) {
                        return values;
                    }
                }
                return 0;
            }
            return super.compare(a, b);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private int compareValues(Object a, Object b) {
            if (a == b) {
                return 0;
            }
            if (a == null || b == null) {
                return a == null ? -1 : 1;
            }
            if (a.getClass() != b.getClass()) {
                return a.getClass().getName().compareTo(b.getClass().getName());
            }
            if (a instanceof Comparable comparable) {
                int order = comparable.compareTo(b);
                return order != 0 || a.equals(b) ? order : a.toString().compareTo(b.toString());
            }
            return a.equals(b) ? 0 : super.compare(a, b);
        }
    }

    /**
     * A stored document as BSON, with the wire protocol's own encoder and decoder (so every value a client can store
     * comes back as it went in): an order of magnitude less work than Java serialization, the MVStore's default for
     * objects it does not know.
     */
    static final class BsonDocuments extends BasicDataType<Document> {

        static final BsonDocuments INSTANCE = new BsonDocuments();
        /** The same, for the copy of an older file, whose maps are opened untyped. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        static final BasicDataType<Object> ANY = (BasicDataType) INSTANCE;

        @Override
        public int getMemory(Document document) {
            return estimate(document, 0);
        }

        /** A rough size in memory, for the page cache's accounting: an entry, its name and its value per field. */
        private static int estimate(Object value, int depth) {
            if (value instanceof Map<?, ?> map && depth < 8) {
                int size = 64;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    size += 48 + estimate(entry.getKey(), depth + 1) + estimate(entry.getValue(), depth + 1);
                }
                return size;
            }
            if (value instanceof Collection<?> list && depth < 8) {
                int size = 32;
                for (Object nested : list) {
                    size += 16 + estimate(nested, depth + 1);
                }
                return size;
            }
            if (value instanceof String text) {
                return 40 + text.length();
            }
            return value instanceof byte[] bytes ? 16 + bytes.length : 24;
        }

        /**
         * Each page-writing thread's buffer for one document's encoding, kept from one document to the next: a new
         * buffer per document, grown as it was filled, was a tenth of everything the store allocated under a
         * backlog (docs/benchmarks.md). One that grew past {@link #KEPT_BUFFER} for a large document is let go. Plain
         * heap buffers, outside Netty's leak detection: a kept one is never released, only collected with its thread.
         */
        private static final ThreadLocal<ByteBuf> ENCODING = ThreadLocal.withInitial(
                () -> new UnpooledByteBufAllocator(false, true).heapBuffer(4096));
        private static final int KEPT_BUFFER = 1 << 20;

        @Override
        public void write(WriteBuffer buffer, Document document) {
            ByteBuf bson = ENCODING.get().clear();
            BsonEncoder.encodeDocument(document, bson);
            buffer.put(bson.nioBuffer());
            if (bson.capacity() > KEPT_BUFFER) {
                ENCODING.remove();
            }
        }

        @Override
        public Document read(ByteBuffer buffer) {
            // A BSON document starts with its own length, little-endian.
            int length = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(buffer.position());
            Document document = BsonDecoder.decodeBson(Unpooled.wrappedBuffer(buffer.slice(buffer.position(), length)));
            buffer.position(buffer.position() + length);
            return document;
        }

        @Override
        public Document[] createStorage(int size) {
            return new Document[size];
        }
    }
}
