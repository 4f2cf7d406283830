package org.pathways.e2e;

import java.util.ArrayList;
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
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Every service, each its own Spring application on its own port, in this JVM, on the shared broker and store,
 * behind the real gateway. Started once for the test JVM.
 */
public final class RunningPlatform {

    /**
     * The gateway's own jar has no database or broker; in this shared JVM the services' jars are on the classpath
     * too, so keep their auto-configuration out of the contexts of applications without a store or a broker.
     */
    static final String WITHOUT_STORE_OR_BROKER = SharedInfrastructure.WITHOUT_STORE_OR_BROKER;

    /** The gateway's limit of requests failing authentication per client address and minute, on this platform. */
    public static final int UNAUTHENTICATED_REQUESTS_PER_MINUTE = 300;

    private static RunningPlatform instance;

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    public final int gatewayPort;
    /** Each service's own port, by name, for calls that bypass the gateway (as a compromised insider's would). */
    public final Map<String, Integer> servicePorts;

    private RunningPlatform() {
        int learners = start(LearnerProfileServiceApplication::run, "learner-profiles");
        int opportunities = start(OpportunityCatalogueServiceApplication::run, "opportunity-catalogue");
        int referrals = start(ReferralServiceApplication::run, "referrals");
        int notifications = start(NotificationServiceApplication::run, "notifications");
        int progression = start(ProgressionServiceApplication::run, "progression");
        servicePorts = Map.of("learner-profile-service", learners, "opportunity-catalogue-service", opportunities,
                "referral-service", referrals, "notification-service", notifications,
                "progression-service", progression);
        Map<String, String> gateway = new java.util.HashMap<>(tracing());
        gateway.putAll(Map.of(
                "pathways.gateway.routes.learners", "http://localhost:" + learners,
                "pathways.gateway.routes.opportunities", "http://localhost:" + opportunities,
                "pathways.gateway.routes.referrals", "http://localhost:" + referrals,
                "pathways.gateway.routes.notifications", "http://localhost:" + notifications,
                "pathways.gateway.routes.progression", "http://localhost:" + progression,
                "pathways.security.jwt-secret", org.pathways.testing.TestTokens.SECRET,
                "pathways.security.jwt-issuer", org.pathways.testing.TestTokens.ISSUER,
                // Every test calls from 127.0.0.1, and the isolation matrix alone sends one request without a
                // token per documented operation: more than the default 60 a minute. The abuse tests flood from
                // addresses of their own (127.0.0.x).
                "pathways.gateway.protection.unauthenticated-requests-per-period",
                Integer.toString(UNAUTHENTICATED_REQUESTS_PER_MINUTE),
                "spring.autoconfigure.exclude", WITHOUT_STORE_OR_BROKER));
        gatewayPort = port(GatewayApplication.run(args(gateway)));
    }

    /** Every service exports its spans to the collector, as the devstack's services do to its Zipkin server. */
    private static Map<String, String> tracing() {
        return Map.of("management.tracing.export.zipkin.enabled", "true",
                "management.tracing.export.zipkin.endpoint", SpanCollector.get().endpoint(),
                "management.opentelemetry.tracing.export.schedule-delay", "200ms");
    }

    /** Closes every service before the JVM's broker and store go away, so consumers leave cleanly. */
    static synchronized void stop() {
        if (instance != null) {
            instance.contexts.reversed().forEach(ConfigurableApplicationContext::close);
            instance.contexts.clear();
            instance = null;
        }
    }

    public static synchronized RunningPlatform get() {
        if (instance == null) {
            instance = new RunningPlatform();
        }
        return instance;
    }

    private int start(Function<String[], ConfigurableApplicationContext> application, String database) {
        Map<String, String> properties = new java.util.HashMap<>(SharedInfrastructure.serviceProperties(database));
        properties.put("pathways.webhooks.allow-private-addresses", "true");
        properties.put("pathways.webhooks.secret-keys", "local-only:Zkh5FtAgzhsfdYEG+Qd4M1KT6kloxXSa4OdULH2eo/M=");   // local-only
        properties.putAll(tracing());
        // In this shared JVM the gateway's jar is on every service's classpath: keep it out of their contexts.
        properties.put("spring.cloud.gateway.server.webmvc.function.enabled", "false");
        return port(application.apply(args(properties)));
    }

    private int port(ConfigurableApplicationContext context) {
        contexts.add(context);
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /** Command-line arguments for a Spring application on a random port with these properties. */
    static String[] args(Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        args.add("--server.port=0");
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        return args.toArray(String[]::new);
    }
}
