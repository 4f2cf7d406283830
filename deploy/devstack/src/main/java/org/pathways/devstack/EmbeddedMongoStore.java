package org.pathways.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

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
        MongoServer server = new MongoServer(new HelloAnsweringH2Backend(file.toAbsolutePath().toString()));
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

    /**
     * The H2 backend answering {@code hello}, the command MongoDB 4.4.2+ answers and the messaging module's
     * transaction check asks first, as it answers the legacy {@code isMaster}: mongo-java-server knows only the
     * latter, and logged every {@code hello} as an error with its stack trace on the console.
     */
    private static final class HelloAnsweringH2Backend extends H2Backend {

        HelloAnsweringH2Backend(String file) {
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
    }
}
