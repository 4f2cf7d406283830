package org.pathways.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * The embedded store's journal of the documents it changed since its file last took its changed pages: each
 * document as it is after the write (or, for a delete, its id), appended as the write is applied, in the order the
 * writes were applied, and handed to the operating system before the store answers the write. The MVStore writes its
 * changed pages only every few seconds (docs/benchmarks.md, "the store's page writes"); a process killed meanwhile
 * (SIGKILL, the OOM killer, an IDE's stop button) lost the writes it had acknowledged since, while Kafka kept the
 * events published from them and the consumers' offsets moved past them. The operating system keeps what was written
 * to it when the process dies; a power cut still loses what it had not written to the disk (no fsync).
 *
 * <p>Why documents as they are after the write, not the commands: replaying a document is the same whether or not
 * the file already had it (the file's pages may be written at any moment, by the MVStore's own background writes too),
 * and nothing the server made up (an upsert's new {@code ObjectId}, a {@code $currentDate}) has to be made again.
 *
 * <p>Files {@code <store file>.journal.<generation>}, one generation at a time: a {@link #checkpoint} starts a new one,
 * has the store write its pages, then deletes the ones before (their every document is in the pages just written:
 * each was applied before it was appended, and appended before the new generation began). At a start, the
 * generations left by a process that did not close the store are read ({@link #read}) before the store answers
 * anyone. An entry: its length and CRC-32C, then the kind (put or remove), the database's and the collection's
 * names, and the document (or {@code {_id}}) as BSON. An entry cut short by the kill (never acknowledged) ends the
 * reading of its file.
 */
final class WriteJournal implements AutoCloseable {

    private static final String INFIX = ".journal.";
    private static final byte PUT = 1;
    private static final byte REMOVE = 2;
    private static final int HEADER = 8;
    /** Written to the OS once this much is waiting, even in the middle of a command (a large bulk insert). */
    private static final int FLUSH_AT = 1 << 20;
    private static final int KEPT_BUFFER = 1 << 20;

    /** Each writing thread's buffer for one entry, encoded outside the journal's lock, kept from one to the next. */
    private static final ThreadLocal<ByteBuf> ENTRY = ThreadLocal.withInitial(
            () -> new UnpooledByteBufAllocator(false, true).heapBuffer(4096));

    private final Path storeFile;
    private final ByteBuf pending = new UnpooledByteBufAllocator(false, true).heapBuffer(64 * 1024);
    private final Object checkpoints = new Object();
    private FileChannel channel;
    private long generation;
    private long written;
    private long entries;

    private WriteJournal(Path storeFile, long generation) throws IOException {
        this.storeFile = storeFile;
        this.generation = generation;
        this.channel = create(generation);
    }

    /** A new journal after the generations {@link #read} found (which the caller has had the store write). */
    static WriteJournal start(Path storeFile) throws IOException {
        long last = generations(storeFile).stream().mapToLong(Long::longValue).max().orElse(0);
        WriteJournal journal = new WriteJournal(storeFile, last + 1);
        journal.deleteBefore(last + 1);
        return journal;
    }

    /** A document as it now is in the collection. Called under the collection's lock, as its write is applied. */
    void put(String database, String collection, Document document) {
        append(PUT, database, collection, document);
    }

    /** A document deleted from the collection. Called under the collection's lock, as its delete is applied. */
    void remove(String database, String collection, Object id) {
        append(REMOVE, database, collection, new Document("_id", id));
    }

    private void append(byte kind, String database, String collection, Document document) {
        ByteBuf entry = ENTRY.get().clear();
        entry.writeLong(0); // length and checksum, below
        entry.writeByte(kind);
        writeName(entry, database);
        writeName(entry, collection);
        BsonEncoder.encodeDocument(document, entry);
        int length = entry.writerIndex() - HEADER;
        CRC32C crc = new CRC32C();
        crc.update(entry.nioBuffer(HEADER, length));
        entry.setInt(0, length);
        entry.setInt(4, (int) crc.getValue());
        synchronized (this) {
            pending.writeBytes(entry, 0, entry.writerIndex());
            entries++;
            if (pending.readableBytes() >= FLUSH_AT) {
                flushPending();
            }
        }
        if (entry.capacity() > KEPT_BUFFER) {
            ENTRY.remove();
        }
    }

    private static void writeName(ByteBuf entry, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        entry.writeShort(bytes.length);
        entry.writeBytes(bytes);
    }

    /** Hands everything appended so far to the operating system: called before the store answers a write. */
    synchronized void flush() {
        flushPending();
    }

    private void flushPending() {
        if (!pending.isReadable()) {
            return;
        }
        ByteBuffer bytes = pending.nioBuffer();
        try {
            while (bytes.hasRemaining()) {
                written += channel.write(bytes);
            }
        } catch (IOException e) {
            // What did reach the file is not written again: the next flush goes on from there, so an entry cut
            // by the failure is completed rather than followed by a second copy from its start.
            pending.skipBytes(bytes.position());
            throw new UncheckedIOException("could not write the store's journal " + file(generation), e);
        }
        pending.clear();
        if (pending.capacity() > 4 * FLUSH_AT) {
            pending.capacity(64 * 1024);
        }
    }

    /**
     * Has the store write its changed pages ({@code commit}) and drops what the journal held until then. Nothing to
     * drop when nothing was appended since the last one (the store writes its pages all the same). The journal
     * changes files holding {@code noWriteUnderWay}, so that every write of the closed file is whole in the pages.
     */
    void checkpoint(Runnable commit, java.util.concurrent.locks.Lock noWriteUnderWay) {
        // Always the lock first, then the checkpoints' monitor: a command that changes collections holds the lock
        // when it asks for a checkpoint, and the periodic one must not hold the monitor while waiting for the lock.
        noWriteUnderWay.lock();
        boolean locked = true;
        try {
            synchronized (checkpoints) {
                long closed;
                synchronized (this) {
                    if (written == 0 && !pending.isReadable()) {
                        closed = -1;
                    } else {
                        flushPending();
                        closed = generation;
                        try {
                            channel.close();
                            channel = create(generation + 1);
                        } catch (IOException e) {
                            throw new UncheckedIOException("could not start a new journal for the store", e);
                        }
                        generation++;
                        written = 0;
                    }
                }
                noWriteUnderWay.unlock(); // writes go on into the new file while the pages are written
                locked = false;
                commit.run();
                if (closed >= 0) {
                    deleteBefore(closed + 1);
                }
            }
        } finally {
            if (locked) {
                noWriteUnderWay.unlock();
            }
        }
    }

    /** How many entries were appended since the journal started. */
    synchronized long entries() {
        return entries;
    }

    /** Closes the file; the caller deletes the journal ({@link #delete}) once the store has written everything. */
    @Override
    public synchronized void close() {
        try {
            flushPending();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes every generation: the store's file has all of it. */
    static void delete(Path storeFile) throws IOException {
        for (long generation : generations(storeFile)) {
            Files.deleteIfExists(file(storeFile, generation));
        }
    }

    private void deleteBefore(long generation) {
        try {
            for (long old : generations(storeFile)) {
                if (old < generation) {
                    Files.deleteIfExists(file(old));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the store's older journal", e);
        }
    }

    private FileChannel create(long generation) throws IOException {
        return FileChannel.open(file(generation), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    private Path file(long generation) {
        return file(storeFile, generation);
    }

    private static Path file(Path storeFile, long generation) {
        return storeFile.resolveSibling(storeFile.getFileName() + INFIX + generation);
    }

    private static List<Long> generations(Path storeFile) throws IOException {
        String prefix = storeFile.getFileName() + INFIX;
        List<Long> generations = new ArrayList<>();
        Path dir = storeFile.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            return generations;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(path -> path.getFileName().toString()).filter(name -> name.startsWith(prefix))
                    .map(name -> name.substring(prefix.length())).filter(suffix -> suffix.matches("[0-9]{1,18}"))
                    .map(Long::valueOf).sorted().forEach(generations::add);
        }
        return generations;
    }

    /** Where a journaled document belongs. */
    record Collection(String database, String name) {
    }

    /**
     * What the journal left by a process that did not close the store says each document it names now is: per
     * collection, each id's last document, or {@code null} where it was deleted last. Empty when there is no
     * journal (the store was closed, or never journaled).
     */
    static Map<Collection, Map<Object, Document>> read(Path storeFile) throws IOException {
        Map<Collection, Map<Object, Document>> last = new LinkedHashMap<>();
        for (long generation : generations(storeFile)) {
            ByteBuf bytes = Unpooled.wrappedBuffer(Files.readAllBytes(file(storeFile, generation)));
            while (bytes.readableBytes() >= HEADER) {
                int length = bytes.getInt(bytes.readerIndex());
                int checksum = bytes.getInt(bytes.readerIndex() + 4);
                if (length <= 0 || length > bytes.readableBytes() - HEADER) {
                    break; // cut short by the kill: never acknowledged
                }
                CRC32C crc = new CRC32C();
                crc.update(bytes.nioBuffer(bytes.readerIndex() + HEADER, length));
                if ((int) crc.getValue() != checksum) {
                    break;
                }
                bytes.skipBytes(HEADER);
                byte kind = bytes.readByte();
                Collection collection = new Collection(readName(bytes), readName(bytes));
                Document document = BsonDecoder.decodeBson(bytes);
                Map<Object, Document> documents = last.computeIfAbsent(collection, c -> new LinkedHashMap<>());
                Object id = document.get("_id");
                documents.remove(id); // kept in the order of their last write
                documents.put(id, kind == REMOVE ? null : document);
            }
        }
        return last;
    }

    private static String readName(ByteBuf bytes) {
        byte[] name = new byte[bytes.readUnsignedShort()];
        bytes.readBytes(name);
        return new String(name, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "WriteJournal[" + file(generation) + "]";
    }
}
