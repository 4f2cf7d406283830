package org.pathways.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

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
        Files.createDirectories(file.toAbsolutePath().getParent());
        MongoServer server = new MongoServer(new H2Backend(file.toAbsolutePath().toString()));
        // Change streams read the oplog; services that watch collections need it, others do not notice it.
        server.enableOplog();
        server.bind("localhost", PORT);
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
}
