package org.pathways.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Properties;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker in KRaft mode, run as a child JVM from the devstack's own classpath. A separate process
 * rather than an in-JVM broker so that it is stopped, measured and logged like every other component, and so that
 * its threads and heap cannot disturb the embedded store. Its log directory survives restarts: storage is formatted
 * once, on the first start.
 */
final class KafkaBroker {

    static final Duration READY_DEADLINE = Duration.ofSeconds(60);
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** Kafka logs a great deal at INFO; warnings and errors are what a developer needs to see. */
    /** Options added to the broker's JVM, split at white space ({@code {service}} stands for "kafka"). */
    static final String EXTRA_OPTIONS = "DEVSTACK_KAFKA_JVM_OPTIONS";
    private static final String QUIET_LOGGING = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SCRAM_ITERATIONS = 4096;

    private final KafkaServerProperties config;
    /** Where each service's SCRAM password is kept between starts (readable by the developer only). */
    static final String CREDENTIALS_FILE = "credentials.properties";
    /** A digest of the topics, users, passwords and ACLs last set up on this storage: see {@link #accessInPlace()}. */
    static final String ACCESS_FILE = "access-applied";

    /**
     * Each service's SCRAM password, made on the first start and kept in {@value #CREDENTIALS_FILE}: the devstack
     * hands it to the service it launches. Kept rather than new on every start so that on a later start the broker
     * knows every service from its first moment.
     */
    private final Map<String, String> passwords = new LinkedHashMap<>();
    private final Path kafkaDir;
    private boolean accessInPlace;
    private final Path logFile;
    private final PrintStream console;
    private final Supplier<ConsoleFilter> consoleFilter;
    private ChildProcess process;

    KafkaBroker(Path dataDir, PrintStream console, Supplier<ConsoleFilter> consoleFilter) {
        this(dataDir, KafkaServerProperties.BROKER_PORT, KafkaServerProperties.CONTROLLER_PORT, console,
                consoleFilter);
    }

    KafkaBroker(Path dataDir, int brokerPort, int controllerPort, PrintStream console,
                Supplier<ConsoleFilter> consoleFilter) {
        this.config = new KafkaServerProperties(brokerPort, controllerPort, newPassword());
        this.kafkaDir = dataDir.resolve("kafka");
        Properties kept = keptCredentials(kafkaDir.resolve(CREDENTIALS_FILE));
        KafkaAccess.SERVICES.forEach(service -> passwords.put(service.principal(),
                kept.getProperty(service.principal(), newPassword())));
        this.logFile = dataDir.resolve("logs").resolve("kafka.log");
        this.console = console;
        this.consoleFilter = consoleFilter;
    }

    Path serverProperties() {
        return kafkaDir.resolve("server.properties");
    }

    Path logDir() {
        return kafkaDir.resolve("data");
    }

    ChildProcess process() {
        return process;
    }

    String bootstrapServers() {
        return config.bootstrapServers();
    }

    /** What a service is given to authenticate as itself (BrokerSecurity in reliable-messaging reads it). */
    Map<String, String> clientEnvironment(String principal) {
        String password = passwords.get(principal);
        if (password == null) {
            throw new IllegalArgumentException(principal + " has no Kafka user (KafkaAccess.SERVICES)");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        environment.put("KAFKA_SECURITY_PROTOCOL", KafkaServerProperties.SECURITY_PROTOCOL);
        environment.put("KAFKA_SASL_MECHANISM", KafkaServerProperties.SASL_MECHANISM);
        environment.put("KAFKA_SASL_USERNAME", principal);
        environment.put("KAFKA_SASL_PASSWORD", password);
        return environment;
    }

    /** Client settings that authenticate as {@code principal} with its SCRAM password. */
    Map<String, Object> clientConfig(String principal) {
        return clientConfig(principal, passwords.get(principal));
    }

    Map<String, Object> clientConfig(String principal, String password) {
        Map<String, Object> client = new HashMap<>();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        client.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, KafkaServerProperties.SECURITY_PROTOCOL);
        client.put(SaslConfigs.SASL_MECHANISM, KafkaServerProperties.SASL_MECHANISM);
        client.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"" + principal + "\" password=\"" + password + "\";");
        return client;
    }

    /** The super user's settings: topics, users and ACLs (and a developer's kafka-*.sh --command-config). */
    Map<String, Object> adminConfig() {
        Map<String, Object> admin = new HashMap<>();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        admin.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, KafkaServerProperties.SECURITY_PROTOCOL);
        admin.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        admin.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"" + KafkaServerProperties.ADMIN + "\" password=\"" + config.adminPassword() + "\";");
        return admin;
    }

    Path adminProperties() {
        return kafkaDir.resolve("admin.properties");
    }

    private static String newPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Properties keptCredentials(Path file) {
        Properties kept = new Properties();
        if (Files.isRegularFile(file)) {
            try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                kept.load(in);
            } catch (IOException e) {
                // Unreadable: new passwords, set up again once the broker answers (as on a storage of an older devstack).
                kept.clear();
            }
        }
        return kept;
    }

    /**
     * Whether this storage already holds every platform topic, every service's user with the password it will be
     * given, and every ACL it is granted, as {@link #awaitReady()} set them up on an earlier start: then a service
     * may start before the broker answers, since nothing it needs is still to be created. False on a first start, on
     * a storage of an older devstack, and when the grants changed since (a new service, topic or ACL), until
     * {@link #awaitReady()} has set everything up. Known once {@link #start()} has run.
     */
    boolean accessInPlace() {
        return accessInPlace;
    }

    /** Writes the configuration, formats storage if this is the first start, and launches the broker. */
    void start() throws IOException, StartupFailure, InterruptedException {
        Files.createDirectories(logDir());
        Path access = kafkaDir.resolve(ACCESS_FILE);
        // In place only if the set-up recorded is the last thing that touched this broker: a start that did not
        // record one (an older devstack's, which sets new passwords on every start, or one stopped half-way) wrote
        // server.properties after it.
        accessInPlace = Files.exists(logDir().resolve("meta.properties"))
                && Files.isRegularFile(access)
                && Files.isRegularFile(serverProperties())
                && Files.getLastModifiedTime(serverProperties()).compareTo(Files.getLastModifiedTime(access)) <= 0
                && Files.readString(access).strip().equals(accessDigest());
        writePrivately(serverProperties(), config.render(logDir()));
        writeCredentials();
        StringBuilder admin = new StringBuilder("# The devstack's Kafka super user, for kafka-*.sh --command-config;"
                + " new on every start.\n");
        new TreeMap<>(adminConfig()).forEach((key, value) -> admin.append(key).append('=').append(value).append('\n'));
        writePrivately(adminProperties(), admin.toString());
        if (!Files.exists(logDir().resolve("meta.properties"))) {
            formatStorage();
        }
        // Class-data sharing as for the services (ServiceLaunch): the broker's archive is written when it stops.
        List<String> command = javaCommand("kafka.Kafka", serverProperties().toString());
        command.addAll(command.indexOf("-cp"), List.of("-XX:SharedArchiveFile=" + kafkaDir.resolve("classes.jsa"),
                "-XX:+AutoCreateSharedArchive", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        // As DEVSTACK_SERVICE_JVM_OPTIONS for the services: to profile the broker or try a setting without a build.
        command.addAll(command.indexOf("-cp"),
                ServiceLaunch.extraJvmOptions(System.getenv(EXTRA_OPTIONS), "kafka"));
        process = ChildProcess.start("kafka", command, Map.of(),
                logFile, console, consoleFilter.get());
    }

    /**
     * Runs {@code kafka-storage format --standalone} as its own process: the tool ends with System.exit, and it is
     * what the broker's own scripts use, so the on-disk result is exactly what a real install would have.
     */
    private void formatStorage() throws IOException, StartupFailure, InterruptedException {
        String clusterId = Uuid.randomUuid().toString();
        console.println(ChildProcess.prefix("kafka") + "first start: formatting " + logDir() + " for cluster "
                + clusterId);
        ChildProcess format = ChildProcess.start("kafka",
                javaCommand("kafka.tools.StorageTool", "format", "--standalone", "-t", clusterId, "-c",
                        serverProperties().toString()),
                Map.of(), null, console, consoleFilter.get());
        int exitCode = format.awaitExit(Duration.ofSeconds(60));
        if (exitCode != 0) {
            throw new StartupFailure("Formatting the Kafka storage failed (exit code " + exitCode + ")", format);
        }
    }

    /** The passwords, rewritten only when they changed (new ones made), so that a crash cannot lose them. */
    private void writeCredentials() throws IOException {
        Path file = kafkaDir.resolve(CREDENTIALS_FILE);
        StringBuilder text = new StringBuilder("# Each service's SCRAM password on this devstack's broker, made on its"
                + " first start. Delete to have new ones.\n");
        passwords.forEach((principal, password) -> text.append(principal).append('=').append(password).append('\n'));
        if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).contentEquals(text)) {
            return;
        }
        writePrivately(file, text.toString());
    }

    /**
     * Writes a file that holds secrets readable by its owner only, whole or not at all: a temporary file beside it,
     * then moved over it.
     */
    private static void writePrivately(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(temporary);
        try {
            Files.createFile(temporary,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temporary);
        }
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * A digest of what {@link #awaitReady()} sets up: topics and their partitions, each user with its password, each
     * ACL. Written once that succeeded; a later start whose digest matches finds the same in the broker's metadata.
     */
    private String accessDigest() {
        List<String> lines = new ArrayList<>();
        KafkaAccess.allTopics().forEach(topic -> lines.add("topic " + topic + " " + KafkaServerProperties.PARTITIONS));
        passwords.forEach((principal, password) -> lines.add("user " + principal + " " + SCRAM_ITERATIONS + " "
                + password));
        KafkaAccess.SERVICES.forEach(service -> service.aclBindings().forEach(acl -> lines.add("acl " + acl)));
        lines.sort(null);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static List<String> javaCommand(String mainClass, String... arguments) {
        List<String> command = new ArrayList<>(List.of(JavaRuntime.javaExecutable(), "-Xmx256m"));
        command.addAll(JavaRuntime.LEAN_JVM);
        command.add(QUIET_LOGGING);
        if (Runtime.version().feature() >= 24) {
            // Kafka still unmaps its index files through sun.misc.Unsafe; newer JDKs warn about it on every stop.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-cp", JavaRuntime.ownClassPath(), mainClass));
        command.addAll(List.of(arguments));
        return JavaRuntime.inOwnSession(command);
    }

    /**
     * Waits until the broker answers a metadata request, which it only does once the controller quorum has elected
     * it and it has registered: from then on the services' producers and consumers can connect.
     */
    void awaitReady() throws StartupFailure, InterruptedException {
        Map<String, Object> config = adminConfig();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new StartupFailure("Kafka exited during startup (exit code "
                            + process.process().exitValue() + ")", process);
                }
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000))
                            .nodes().get(4, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        createPlatformTopics(admin);
                        grantServicesTheirAccess(admin);
                        try {
                            Files.writeString(kafkaDir.resolve(ACCESS_FILE), accessDigest() + "\n");
                        } catch (IOException e) {
                            // The next start then sets everything up again before its services start, as this one.
                        }
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // Not listening or not registered yet; ask again.
                }
                Thread.sleep(500);
            }
        }
        throw new StartupFailure("Kafka did not answer on " + bootstrapServers() + " within "
                + READY_DEADLINE.toSeconds() + " s", process);
    }

    /** Creates the platform's topics that do not exist yet; one that another client created meanwhile is fine. */
    private static void createPlatformTopics(Admin admin) throws InterruptedException, StartupFailure {
        List<NewTopic> topics = KafkaAccess.allTopics().stream()
                .map(name -> new NewTopic(name, KafkaServerProperties.PARTITIONS, (short) 1)).toList();
        for (var result : admin.createTopics(topics).values().entrySet()) {
            try {
                result.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new StartupFailure("Creating the topic " + result.getKey() + " failed: " + e.getCause(),
                            e.getCause());
                }
            } catch (TimeoutException e) {
                throw new StartupFailure("Creating the topic " + result.getKey() + " took over 30 s", e);
            }
        }
    }

    /**
     * Gives every service its SCRAM user and exactly the ACLs {@link KafkaAccess} grants it, then waits until the
     * broker accepts a service's credentials, so that no service starts against a broker that does not know it yet.
     * Both are idempotent. When {@link #accessInPlace()}, the users are left as they are: setting a password again
     * gives it a new salt, and a service already authenticating (it started while the broker booted) would fail;
     * unless the broker refuses a kept password, when they are set again.
     */
    private void grantServicesTheirAccess(Admin admin) throws InterruptedException, StartupFailure {
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        for (KafkaAccess service : KafkaAccess.SERVICES) {
            users.add(new UserScramCredentialUpsertion(service.principal(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS),
                    passwords.get(service.principal())));
            acls.addAll(service.aclBindings());
        }
        try {
            if (!accessInPlace) {
                admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
            }
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupFailure("Setting up the services' Kafka users and ACLs failed: " + e, e);
        }
        String probe = KafkaAccess.SERVICES.getFirst().principal();
        Map<String, Object> config = clientConfig(probe);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try (Admin asService = Admin.create(config)) {
            while (true) {
                try {
                    asService.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (accessInPlace && e.getCause() instanceof SaslAuthenticationException) {
                        // The broker's users are not what was recorded (set by hand, or by another devstack on this
                        // storage): set them again. The record goes first, so that a start stopped half-way leaves
                        // the next one waiting.
                        accessInPlace = false;
                        setUsersAgain(admin, users);
                        continue;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new StartupFailure("Kafka does not accept " + probe + "'s SCRAM credentials: " + e, e);
                    }
                } catch (TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new StartupFailure("Kafka does not answer " + probe + " in 15 s", e);
                    }
                }
                Thread.sleep(100);
            }
        }
    }

    private void setUsersAgain(Admin admin, List<UserScramCredentialAlteration> users) throws StartupFailure,
            InterruptedException {
        try {
            Files.deleteIfExists(kafkaDir.resolve(ACCESS_FILE));
            admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new StartupFailure("Setting up the services' Kafka users failed: " + e, e);
        }
    }

    void stop() {
        if (process != null) {
            process.stop(STOP_GRACE, console);
        }
    }
}
