package org.pathways.benchmarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.pathways.catalogue.OpportunityCatalogueServiceApplication;
import org.pathways.gateway.GatewayApplication;
import org.pathways.learner.LearnerProfileServiceApplication;
import org.pathways.notification.NotificationServiceApplication;
import org.pathways.progression.ProgressionServiceApplication;
import org.pathways.referral.ReferralServiceApplication;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.testing.TestTokens;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Every service, each its own Spring application on its own port, in this JVM, on one Kafka broker and one
 * MongoDB-wire store, behind the real gateway: the end-to-end tests' platform, started for a benchmark run.
 */
final class BenchmarkPlatform implements AutoCloseable {

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    final Map<String, ConfigurableApplicationContext> services = new HashMap<>();
    final int gatewayPort;

    /** {@code -Dbenchmark.store-times=true}: each phase also prints where the services' time in the store went. */
    static final boolean STORE_TIMES = Boolean.getBoolean("benchmark.store-times");

    /** Where the services export their spans (Zipkin's API); null: not exported. */
    private final String spans;

    BenchmarkPlatform(String spans) {
        this.spans = spans;
        int learners = start("learner-profile-service", LearnerProfileServiceApplication::run, "learner-profiles");
        int opportunities = start("opportunity-catalogue-service", OpportunityCatalogueServiceApplication::run,
                "opportunity-catalogue");
        int referrals = start("referral-service", ReferralServiceApplication::run, "referrals");
        int notifications = start("notification-service", NotificationServiceApplication::run, "notifications");
        int progression = start("progression-service", ProgressionServiceApplication::run, "progression");
        ConfigurableApplicationContext gateway = GatewayApplication.run(args(Map.of(
                "pathways.gateway.routes.learners", "http://localhost:" + learners,
                "pathways.gateway.routes.opportunities", "http://localhost:" + opportunities,
                "pathways.gateway.routes.referrals", "http://localhost:" + referrals,
                "pathways.gateway.routes.notifications", "http://localhost:" + notifications,
                "pathways.gateway.routes.progression", "http://localhost:" + progression,
                "pathways.security.jwt-secret", TestTokens.SECRET,
                "pathways.security.jwt-issuer", TestTokens.ISSUER,
                "logging.threshold.console", "WARN",
                "logging.file.name", "target/benchmark-gateway.log",
                "spring.autoconfigure.exclude", SharedInfrastructure.WITHOUT_STORE_OR_BROKER)));
        contexts.add(gateway);
        gatewayPort = port(gateway);
    }

    /** The databases the services use, by service name. */
    static final Map<String, String> DATABASES = Map.of(
            "learner-profile-service", "learner-profiles",
            "opportunity-catalogue-service", "opportunity-catalogue",
            "referral-service", "referrals",
            "notification-service", "notifications",
            "progression-service", "progression");

    private int start(String name, Function<String[], ConfigurableApplicationContext> application, String database) {
        Map<String, String> properties = new HashMap<>(SharedInfrastructure.serviceProperties(database));
        properties.put("pathways.webhooks.allow-private-addresses", "true");
        properties.put("pathways.webhooks.secret-keys", "local-only:Zkh5FtAgzhsfdYEG+Qd4M1KT6kloxXSa4OdULH2eo/M=");   // local-only
        properties.put("spring.cloud.gateway.server.webmvc.function.enabled", "false");
        // Logged as on the devstack (the cost of logging is part of the figures), but to a file: the console keeps
        // the figures and warnings.
        properties.put("logging.threshold.console", "WARN");
        properties.put("logging.file.name", "target/benchmark-" + name + ".log");
        if (STORE_TIMES) {
            properties.put("spring.main.sources", StoreTimes.class.getName());
        }
        if (spans != null) {
            properties.put("management.tracing.export.zipkin.enabled", "true");
            properties.put("management.tracing.export.zipkin.endpoint", spans);
        }
        ConfigurableApplicationContext context = application.apply(args(properties));
        contexts.add(context);
        services.put(name, context);
        return port(context);
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    private static String[] args(Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        args.add("--server.port=0");
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        return args.toArray(String[]::new);
    }

    @Override
    public void close() {
        contexts.reversed().forEach(ConfigurableApplicationContext::close);
    }
}
