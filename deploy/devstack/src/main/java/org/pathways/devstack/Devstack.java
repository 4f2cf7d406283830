package org.pathways.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.pathways.devstack.PortAvailability.PortClaim;

/**
 * The one-command local platform: a real Kafka broker, a MongoDB-wire store on disk and every service as its own
 * process, started in dependency order, checked for readiness, and stopped in reverse on Ctrl-C. No Docker: a JDK
 * and a build are all it needs.
 */
public final class Devstack {

    private static final String DEVSTACK = "devstack";

    private final Path repositoryRoot;
    private final Path dataDir;
    private final boolean demo;
    /**
     * Whether the services run with the demo's settings (a same-day acknowledgement target, a short webhook retry
     * schedule): only on the start that loads the demo, decided once so that a restart keeps them. On a later start
     * the demo's referrals stay overdue (their due dates were set when they were made), and a referral made then is
     * not overdue the moment it is sent.
     */
    private final boolean demoSettings;
    private final boolean verbose;
    /** How many instances of each back-end service run ({@code --replicas}). */
    private final int replicas;
    /** Whether the trace viewer started, so the services export their spans to it. */
    private boolean tracesExported;
    private final String externalMongoUri;
    private final PrintStream console;
    private final long startedAt = System.nanoTime();

    private final ServiceLaunch launches;
    /** Made up front: its users' passwords go into the environment of every service that uses Kafka. */
    private final KafkaBroker kafka;
    /** What has been started, and the one way to stop it; made by {@link #start()}. */
    private RunningPlatform platform;
    /** The process currently running each service; a restart replaces it. */
    private final Map<PlatformService, ChildProcess> processes = new ConcurrentHashMap<>();
    private EmbeddedMongoStore store;
    /** Settings added to the environment of one service (by name), e.g. a fault suite's shorter retry schedule. */
    private final Map<String, Map<String, String>> extraSettings = new ConcurrentHashMap<>();
    private boolean traceViewer = true;
    private boolean webApp = true;
    private final Map<PlatformService, Integer> restarts = new ConcurrentHashMap<>();

    Devstack(Path repositoryRoot, Path dataDir, boolean demo, boolean verbose, int replicas, String externalMongoUri,
            PrintStream console) {
        this.repositoryRoot = repositoryRoot;
        this.dataDir = dataDir;
        this.demo = demo;
        this.demoSettings = demo && !DemoData.loadedIn(dataDir);
        this.verbose = verbose;
        this.replicas = replicas;
        this.launches = new ServiceLaunch(repositoryRoot, dataDir, console);
        this.externalMongoUri = externalMongoUri == null || externalMongoUri.isBlank() ? null : externalMongoUri;
        this.console = console;
        this.kafka = new KafkaBroker(dataDir, console, this::consoleFilter);
    }

    public static void main(String[] args) {
        CommandLineOptions options;
        try {
            options = CommandLineOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println();
            System.err.print(CommandLineOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(CommandLineOptions.USAGE);
            return;
        }
        quietenOwnLogging(options.verbose());
        Path workingDir = Path.of("").toAbsolutePath();
        Path root = RepositoryRoot.findFrom(workingDir).orElse(null);
        if (root == null) {
            System.err.println("Cannot find the Pathways checkout (a directory with pom.xml and deploy/devstack) in "
                    + workingDir + " or above. Start the devstack from inside the repository: deploy/devstack/run");
            System.exit(1);
            return;
        }
        Path dataDir = options.dataDir() != null ? options.dataDir().toAbsolutePath().normalize()
                : root.resolve(".devstack");
        int exitCode = new Devstack(root, dataDir, options.demo(), options.verbose(), options.replicas(),
                System.getenv("MONGODB_URI"), System.out).run();
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /**
     * The devstack's own JVM logs through slf4j-simple: the embedded store announces every connection and the Kafka
     * admin client every refused connection while the broker boots, at INFO and WARN. Only problems matter here.
     * The store also warns, once per index and start, that it keeps only {@code _id} and unique indexes: a known
     * property of the local store (docs/devstack.md), shown with {@code --verbose}.
     */
    private static void quietenOwnLogging(boolean verbose) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        if (!verbose) {
            System.setProperty("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.backend", "error");
        }
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    }

    /** Starts everything, prints the summary, then serves until Ctrl-C. Returns the exit code on failure. */
    int run() {
        // Processes a devstack killed hard left running (each would hold its port): stopped first. Those of a
        // devstack still running on this data directory are its own: this start is refused instead.
        LeftoverProcesses leftovers = new LeftoverProcesses(dataDir);
        if (leftovers.stopLeftovers(console) == LeftoverProcesses.ANOTHER_IS_RUNNING) {
            console.println("ERROR: another devstack (pid " + leftovers.runningOwner().map(String::valueOf)
                    .orElse("?") + ") is running on " + dataDir + "; stop it first (Ctrl-C in its terminal).");
            return 1;
        }
        leftovers.claim(ProcessHandle.current());
        ChildProcess.recordIn(leftovers);
        if (!portsAreFree() || !jarsAreBuilt()) {
            return 1;
        }
        DemoTokens tokens;
        try {
            tokens = start();
        } catch (StartupFailure failure) {
            return reportFailure(platform, failure);
        } catch (IOException | RuntimeException e) {
            return reportFailure(platform, new StartupFailure("Startup failed: " + e, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }

        try {
            announceReady(tokens);
            // Serve until Ctrl-C: the shutdown hook stops everything and the JVM then exits, main thread or not.
            new CountDownLatch(1).await();
        } catch (IOException e) {
            say("loading the demo data failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * Starts everything and returns once every service is ready, with the demo principals' tokens (also written to
     * tokens.env). What started is stopped by {@link #stop()}, or by the shutdown hook registered here.
     */
    DemoTokens start() throws StartupFailure, IOException, InterruptedException {
        platform = new RunningPlatform(console);
        // Registered before anything starts, so that Ctrl-C during startup stops what has started so far.
        Runtime.getRuntime().addShutdownHook(new Thread(platform::stop, "devstack-shutdown"));
        DemoTokens tokens;
        {
            Files.createDirectories(dataDir.resolve("logs"));
            say(verbose ? "every component's output follows (--verbose)"
                    : "showing progress, warnings and errors; full logs in " + dataDir.resolve("logs")
                            + " (--verbose shows everything here)");
            // The issuer boots while Kafka does; nothing else needs it until the first token is asked for.
            Map<PlatformService, ChildProcess> starting = new LinkedHashMap<>();
            Map<PlatformService, Long> startTimes = new LinkedHashMap<>();
            launches.prepare(PlatformService.all(replicas).stream()
                    .filter(service -> webApp || !service.equals(PlatformService.WEB)).toList());
            launch(PlatformService.IDENTITY, platform, starting, startTimes);
            startTraceViewer(platform);
            startInfrastructure(platform);
            // The back end and the gateway start side by side (the gateway calls no service until a request comes,
            // and the services check tokens with the issuer only when one arrives), while Kafka boots when its
            // storage already has every topic, user and ACL they need (a later start), or else once it has them.
            boolean earlyStart = kafka.accessInPlace();
            if (!earlyStart) {
                awaitKafka();
            }
            // The gateway first: a back-end service's launch waits for the back end's shared class-data archive on a
            // first start (ServiceLaunch), and the gateway's start is work for the other core meanwhile.
            launch(PlatformService.GATEWAY, platform, starting, startTimes);
            for (PlatformService service : PlatformService.SCALABLE) {
                for (PlatformService instance : service.instances(replicas)) {
                    launch(instance, platform, starting, startTimes);
                }
            }
            if (earlyStart) {
                awaitKafka();
            }
            awaitAllReady(Map.of(PlatformService.IDENTITY, starting.remove(PlatformService.IDENTITY)), startTimes);
            if (webApp) {
                // The web app reads the issuer's discovery document when it starts, so it follows the issuer.
                launch(PlatformService.WEB, platform, starting, startTimes);
            }
            tokens = demoTokens();
            awaitAllReady(starting, startTimes);
        }
        return tokens;
    }

    /**
     * What follows a successful {@link #start()}: the ready summary, a watch for services that die later, and the demo
     * data when asked for ({@code --demo}).
     */
    void announceReady(DemoTokens tokens) throws IOException, InterruptedException {
        boolean viewerReady = !tracesExported || TraceViewer.answers();
        ReadySummary.print(console, Duration.ofNanos(System.nanoTime() - startedAt), components(platform), dataDir,
                repositoryRoot, tracesExported ? TraceViewer.UI : null, viewerReady);
        reportUnexpectedExits(platform);
        if (!viewerReady && demo && !DemoData.loadedIn(dataDir)) {
            // The demo's traces are what a newcomer opens the viewer for: spans exported before it answers are lost.
            say("loading the demo once the trace viewer answers, so that its traces are kept");
            reportTraceViewer();
        } else if (!viewerReady) {
            Thread.ofVirtual().name("trace-viewer-ready").start(() -> {
                try {
                    reportTraceViewer();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        if (demo) {
            new DemoData(new GatewayApi(PlatformService.GATEWAY.baseUrl()), tokens, console).loadOnce(dataDir);
        }
    }

    /** Waits for the trace viewer that was still starting at ready, and says when it answers (or that it does not). */
    private void reportTraceViewer() throws InterruptedException {
        if (TraceViewer.awaitAnswer(Duration.ofMinutes(3))) {
            say("trace viewer ready on " + TraceViewer.UI);
        } else {
            say("the trace viewer is not answering after 3 minutes; see "
                    + dataDir.resolve("logs").resolve("zipkin.log"));
        }
    }

    /** Stops everything started, in order (as Ctrl-C does); safe to call more than once. */
    void stop() {
        if (platform != null) {
            platform.stop();
        }
    }

    /** Adds {@code settings} to the environment {@code service} (its short name, e.g. "notification") starts with. */
    Devstack withSettings(String service, Map<String, String> settings) {
        extraSettings.merge(service, Map.copyOf(settings), (old, added) -> {
            Map<String, String> merged = new LinkedHashMap<>(old);
            merged.putAll(added);
            return merged;
        });
        return this;
    }

    /** Starts neither the trace viewer nor the web app: for tests that drive the API only, two JVMs fewer. */
    Devstack apiOnly() {
        traceViewer = false;
        webApp = false;
        return this;
    }

    /**
     * SIGKILL, as the kernel's OOM killer or {@code kill -9} would: no shutdown hook, no flush, no consumer leaving
     * its group. Returns once the process is gone.
     */
    void kill(PlatformService service) throws InterruptedException {
        ChildProcess process = processes.get(service);
        if (process == null) {
            throw new IllegalArgumentException(service.name() + " was not started");
        }
        process.kill();
        say(service.module() + " killed (SIGKILL)");
    }

    /** {@link #kill} for a service that was started and still runs; nothing otherwise. */
    void killIfRunning(PlatformService service) throws InterruptedException {
        ChildProcess process = processes.get(service);
        if (process != null && process.isAlive()) {
            process.kill();
        }
    }

    /**
     * Starts {@code service} again the way it first started (same command, environment and port) and returns once it
     * is ready. Its output goes to {@code <name>.restart-<n>.log}, so the log of the process before stays.
     */
    void restart(PlatformService service) throws StartupFailure, IOException, InterruptedException {
        int restart = restarts.merge(service, 1, Integer::sum);
        Map<PlatformService, ChildProcess> started = new LinkedHashMap<>();
        Map<PlatformService, Long> startTimes = new LinkedHashMap<>();
        launch(service, platform, started, startTimes, service.name() + ".restart-" + restart + ".log");
        awaitAllReady(started, startTimes);
    }

    /** Stops the Kafka broker as an operator would (SIGTERM, controlled shutdown); its log directory stays. */
    void stopKafka() {
        kafka.stop();
        say("Kafka stopped");
    }

    /** Starts the broker again on the same ports, log directory, users and ACLs; returns once it answers. */
    void startKafka() throws IOException, StartupFailure, InterruptedException {
        kafka.start();
        kafka.awaitReady();
        say("Kafka ready again");
    }

    /** Stops the embedded MongoDB-wire store: connections are dropped, its last changes written to its file. */
    void stopStore() {
        if (store == null) {
            throw new IllegalStateException("the devstack uses an external MongoDB (MONGODB_URI)");
        }
        store.close();
        say("MongoDB store stopped");
    }

    /** Starts the store again on the same port over the same file. */
    void startStore() throws IOException {
        store = EmbeddedMongoStore.start(store.file());
        platform.store(store);
        say("MongoDB store listening again on " + EmbeddedMongoStore.URI);
    }

    KafkaBroker kafka() {
        return kafka;
    }

    Path dataDir() {
        return dataDir;
    }

    private boolean portsAreFree() {
        List<PortClaim> claims = new ArrayList<>();
        claims.add(new PortClaim(KafkaServerProperties.BROKER_PORT, "Kafka broker"));
        claims.add(new PortClaim(KafkaServerProperties.CONTROLLER_PORT, "Kafka controller"));
        if (externalMongoUri == null) {
            claims.add(new PortClaim(EmbeddedMongoStore.PORT, "embedded MongoDB store"));
        }
        PlatformService.all(replicas).forEach(service -> claims.add(new PortClaim(service.port(), service.module())));
        if (TraceViewer.jar(repositoryRoot) != null) {
            claims.add(new PortClaim(TraceViewer.PORT, "trace viewer (Zipkin)"));
        }
        List<PortClaim> taken = PortAvailability.taken(claims);
        for (PortClaim claim : taken) {
            console.println("ERROR: port " + claim.port() + " is already in use; the " + claim.component()
                    + " needs it.");
        }
        if (!taken.isEmpty()) {
            console.println("Is a devstack already running? Otherwise stop what listens there (see: ss -ltnp)"
                    + (externalMongoUri == null && taken.stream().anyMatch(c -> c.port() == EmbeddedMongoStore.PORT)
                            ? ", or, for a MongoDB you run yourself, set MONGODB_URI to use it." : "."));
        }
        return taken.isEmpty();
    }

    private boolean jarsAreBuilt() {
        List<Path> missing = ServiceJars.missing(repositoryRoot, PlatformService.all());
        for (Path jar : missing) {
            console.println("ERROR: " + repositoryRoot.relativize(jar) + " is missing.");
        }
        if (!missing.isEmpty()) {
            console.println("Build first: deploy/devstack/run builds whatever is missing or out of date"
                    + " (or run ./mvnw -B -q -DskipTests package).");
        }
        return missing.isEmpty();
    }

    /** The trace viewer, when the build copied its jar; the services export their spans to it. */
    private void startTraceViewer(RunningPlatform platform) throws IOException {
        if (!traceViewer) {
            return;
        }
        Path jar = TraceViewer.jar(repositoryRoot);
        if (jar == null) {
            say("no trace viewer (deploy/devstack/target/zipkin/zipkin-server.jar is missing): spans are not exported");
            return;
        }
        say("starting the trace viewer (Zipkin) on " + TraceViewer.UI);
        platform.traceViewer(TraceViewer.start(jar, dataDir.resolve("logs").resolve("zipkin.log"), console,
                verbose ? ConsoleFilter.everything() : ConsoleFilter.errorsOnly()));
        tracesExported = true;
    }

    /** Kafka boots slowest, so it starts first and the store comes up in this JVM while the broker is busy. */
    private void startInfrastructure(RunningPlatform platform)
            throws IOException, StartupFailure, InterruptedException {
        say("starting Kafka on " + KafkaServerProperties.BOOTSTRAP_SERVERS + " (data in " + kafka.logDir()
                + "; SASL/SCRAM, a user and ACLs per service, super user's settings in " + kafka.adminProperties() + ")");
        kafka.start();
        platform.kafka(kafka);
        if (externalMongoUri == null) {
            Path file = dataDir.resolve("mongo").resolve(EmbeddedMongoStore.FILE);
            store = EmbeddedMongoStore.start(file);
            platform.store(store);
            say("embedded MongoDB store on " + EmbeddedMongoStore.URI + " (data in " + file + ")");
            if (store.movedFromLegacyFile() >= 0) {
                say("the store's " + store.movedFromLegacyFile() + " documents were copied from "
                        + EmbeddedMongoStore.LEGACY_FILE + " into " + EmbeddedMongoStore.FILE + " (a faster format, "
                        + "once); " + EmbeddedMongoStore.LEGACY_FILE + " stays for older versions of the devstack");
            }
            if (store.replayedFromJournal() > 0) {
                say("the store took " + store.replayedFromJournal() + " documents written or deleted just before the "
                        + "last devstack was killed from its journal: every write it had answered is kept");
            }
        } else {
            say("using the MongoDB at MONGODB_URI instead of the embedded store");
        }
    }

    private void awaitKafka() throws StartupFailure, InterruptedException {
        kafka.awaitReady();
        say("Kafka ready");
    }

    /** Real tokens from the issuer, written to tokens.env for the developer and used by the demo data. */
    private DemoTokens demoTokens() throws StartupFailure, InterruptedException {
        long started = System.nanoTime();
        try {
            DemoTokens tokens = DemoTokens.obtain(URI.create(PlatformService.IDENTITY.baseUrl()));
            tokens.writeEnvFile(dataDir.resolve(DemoTokens.FILE_NAME));
            say(String.format("%d demo tokens from %s in %.1f s, written to %s", DemoTokens.ALL.size(),
                    PlatformService.IDENTITY.baseUrl(), (System.nanoTime() - started) / 1e9,
                    dataDir.resolve(DemoTokens.FILE_NAME)));
            return tokens;
        } catch (IOException e) {
            throw new StartupFailure("Getting the demo tokens from the identity-service failed: " + e.getMessage(), e);
        }
    }

    /** Starts {@code service} as its own JVM and registers it, so that Ctrl-C from now on stops it too. */
    private void launch(PlatformService service, RunningPlatform platform, Map<PlatformService, ChildProcess> started,
            Map<PlatformService, Long> startTimes) throws IOException, InterruptedException {
        launch(service, platform, started, startTimes, service.name() + ".log");
    }

    private void launch(PlatformService service, RunningPlatform platform, Map<PlatformService, ChildProcess> started,
            Map<PlatformService, Long> startTimes, String logName) throws IOException, InterruptedException {
        startTimes.put(service, System.nanoTime());
        say("starting " + service.module());
        ChildProcess process = ChildProcess.start(service.name(),
                JavaRuntime.inOwnSession(launches.command(service)), environmentOf(service),
                dataDir.resolve("logs").resolve(logName), console, consoleFilter());
        processes.put(service, process);
        if (service.equals(PlatformService.GATEWAY)) {
            platform.gateway(process);
        } else {
            platform.service(process);
        }
        started.put(service, process);
    }

    private ConsoleFilter consoleFilter() {
        return verbose ? ConsoleFilter.everything() : ConsoleFilter.problemsOnly();
    }

    /**
     * The settings every service reads from its environment, as a container platform would pass them. Every instance
     * of a service gets the same (its Kafka user, databases, consumer groups), but for its port and its own search
     * index.
     */
    Map<String, String> environmentOf(PlatformService service) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SERVER_PORT", Integer.toString(service.port()));
        if (service.equals(PlatformService.IDENTITY)) {
            // The demo partnership's users and clients; the key in the data directory keeps tokens valid across
            // restarts; 12-hour tokens so that tokens.env lasts a working day.
            environment.put("SPRING_PROFILES_ACTIVE", "demo");
            environment.put("PATHWAYS_IDENTITY_ISSUER", PlatformService.IDENTITY.baseUrl());
            environment.put("PATHWAYS_IDENTITY_SIGNING_KEY_FILE",
                    dataDir.resolve("identity").resolve("signing-key.json").toString());
            environment.put("PATHWAYS_IDENTITY_ACCESS_TOKEN_TTL", DemoTokens.TTL.toHours() + "h");
            // It exports its spans to the viewer's default address, which answers only once the viewer is up.
            environment.put("LOGGING_LEVEL_IO_OPENTELEMETRY_EXPORTER_ZIPKIN", "ERROR");
            return environment;
        }
        if (service.equals(PlatformService.WEB)) {
            // The start page says which demo person to sign in as for what.
            environment.put("PATHWAYS_WEB_DEMO_ACCOUNTS", "true");
        }
        if (KafkaAccess.SERVICES.stream().anyMatch(access -> access.principal().equals(service.module()))) {
            // Each service authenticates as its own Kafka user and may touch only its own topics (KafkaAccess).
            environment.putAll(kafka.clientEnvironment(service.module()));
        }
        if (tracesExported) {
            environment.put("PATHWAYS_ZIPKIN_ENABLED", "true");
            environment.put("PATHWAYS_ZIPKIN_URL", TraceViewer.SPANS);
            // Every request a person makes is traced; a load of them is capped at 10 new traces a second per service
            // (spans were 3-7 % of each service's CPU at 50 referrals a second, and the trace viewer's besides:
            // docs/benchmarks.md).
            environment.put("PATHWAYS_TRACES_PER_SECOND", "10");
            // Services start while the viewer does, and the spans of their first seconds find nobody listening: a
            // stack trace each on the console otherwise. The devstack itself says if the viewer stops.
            environment.put("LOGGING_LEVEL_IO_OPENTELEMETRY_EXPORTER_ZIPKIN", "ERROR");
        }
        environment.put("MONGODB_URI", externalMongoUri != null ? externalMongoUri : EmbeddedMongoStore.URI);
        // Zero trust inside: every service checks every token against the issuer's keys itself.
        environment.put("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI", PlatformService.IDENTITY.baseUrl());
        // Demo webhook receivers run on this machine; production refuses private addresses to prevent SSRF.
        environment.put("PATHWAYS_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true");
        // The key webhook secrets are encrypted under at rest: a published local-only one (production sets its own).
        environment.put("PATHWAYS_WEBHOOK_SECRET_KEYS", "local-only:Zkh5FtAgzhsfdYEG+Qd4M1KT6kloxXSa4OdULH2eo/M=");
        if (service.module().equals(PlatformService.BACKEND.get(1).module())) {
            // The catalogue's search index lives with the rest of the devstack's data (rebuilt from the store if lost);
            // one per instance, as each keeps its own up to date from the catalogue's events.
            String index = service.equals(PlatformService.BACKEND.get(1)) ? "search-index"
                    : "search-index-" + service.name();
            environment.put("PATHWAYS_SEARCH_INDEX_DIR",
                    dataDir.resolve("opportunity-catalogue").resolve(index).toString());
        }
        if (service.module().equals(PlatformService.BACKEND.get(2).module())) {
            // FHIR Bundles' fullUrls and links name the base as clients reach it: through the gateway.
            environment.put("PATHWAYS_FHIR_BASE_URL", PlatformService.GATEWAY.baseUrl() + "/api/fhir/r4");
        }
        if (service.equals(PlatformService.GATEWAY)) {
            // Every instance of each service, separated by commas: the gateway takes them in turn.
            environment.put("LEARNER_SERVICE_URL", instanceUrls(PlatformService.BACKEND.get(0)));
            environment.put("OPPORTUNITY_SERVICE_URL", instanceUrls(PlatformService.BACKEND.get(1)));
            environment.put("REFERRAL_SERVICE_URL", instanceUrls(PlatformService.BACKEND.get(2)));
            environment.put("NOTIFICATION_SERVICE_URL", instanceUrls(PlatformService.BACKEND.get(3)));
            environment.put("PROGRESSION_SERVICE_URL", instanceUrls(PlatformService.BACKEND.get(4)));
            environment.put("WEB_APP_URL", PlatformService.WEB.baseUrl());
        }
        if (service.equals(PlatformService.WEB)) {
            // people sign in at the issuer; the pages call the API through the gateway with their token
            environment.put("PATHWAYS_ISSUER_URI", PlatformService.IDENTITY.baseUrl());
            environment.put("PATHWAYS_API_URL", PlatformService.GATEWAY.baseUrl());
        }
        if (demoSettings) {
            environment.putAll(DemoData.settingsFor(service.first().name()));
        }
        environment.putAll(extraSettings.getOrDefault(service.first().name(), Map.of()));
        return environment;
    }

    private String instanceUrls(PlatformService service) {
        return String.join(",", service.instances(replicas).stream().map(PlatformService::baseUrl).toList());
    }

    /**
     * Waits for every given service in parallel and fails on the first that exits or misses its deadline, rather
     * than waiting out the others' deadlines first.
     */
    private void awaitAllReady(Map<PlatformService, ChildProcess> processes, Map<PlatformService, Long> startTimes)
            throws StartupFailure, InterruptedException {
        ReadinessProbe probe = new ReadinessProbe();
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            CompletionService<PlatformService> readiness = new ExecutorCompletionService<>(executor);
            processes.forEach((service, process) -> readiness.submit(() -> {
                probe.awaitReady(service, process, startTimes.get(service));
                say(String.format("%s ready on %s after %.1f s", service.module(), service.baseUrl(),
                        (System.nanoTime() - startTimes.get(service)) / 1e9));
                return service;
            }));
            for (int i = 0; i < processes.size(); i++) {
                try {
                    readiness.take().get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof StartupFailure failure) {
                        throw failure;
                    }
                    throw new StartupFailure("Waiting for readiness failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }

    private int reportFailure(RunningPlatform platform, StartupFailure failure) {
        if (platform.stopping()) {
            // Ctrl-C during startup: the processes dying is the stop, not a failure to report.
            return 0;
        }
        console.println();
        say("FAILED: " + failure.getMessage());
        ChildProcess process = failure.process();
        if (process != null) {
            List<String> lines = process.lastLines();
            say("last " + lines.size() + " lines of " + process.name() + " (full log: "
                    + dataDir.resolve("logs").resolve(process.name() + ".log") + "):");
            lines.forEach(line -> console.println("    " + line));
        } else if (failure.getCause() != null) {
            failure.getCause().printStackTrace(console);
        }
        say("stopping everything that was started");
        return 1;
    }

    private List<ReadySummary.Component> components(RunningPlatform platform) {
        List<ReadySummary.Component> components = new ArrayList<>();
        long ownPid = ProcessHandle.current().pid();
        components.add(new ReadySummary.Component(DEVSTACK, externalMongoUri == null
                ? "this JVM; MongoDB store " + EmbeddedMongoStore.URI : "this JVM (MongoDB: MONGODB_URI)", ownPid));
        for (ChildProcess child : platform.children()) {
            components.add(new ReadySummary.Component(child.name(), addressOf(child.name()), child.pid()));
        }
        return components;
    }

    private String addressOf(String component) {
        if (component.equals("zipkin")) {
            return TraceViewer.UI;
        }
        if (component.equals("kafka")) {
            return KafkaServerProperties.BOOTSTRAP_SERVERS + " (controller :" + KafkaServerProperties.CONTROLLER_PORT
                    + ")";
        }
        return PlatformService.all(replicas).stream().filter(service -> service.name().equals(component))
                .map(PlatformService::baseUrl).findFirst().orElse("");
    }

    /** A service that dies after startup would otherwise go unnoticed among the other logs. */
    private void reportUnexpectedExits(RunningPlatform platform) {
        for (ChildProcess child : platform.children()) {
            child.process().onExit().thenRun(() -> {
                if (!platform.stopping() && !child.stopRequested()) {
                    say("WARNING: " + child.name() + " exited with code " + child.process().exitValue()
                            + "; see " + dataDir.resolve("logs").resolve(child.name() + ".log")
                            + ". Restart the devstack to get it back.");
                }
            });
        }
    }

    private void say(String message) {
        console.println(ChildProcess.prefix(DEVSTACK) + message);
    }
}
