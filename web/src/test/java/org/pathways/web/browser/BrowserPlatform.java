package org.pathways.web.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.pathways.catalogue.OpportunityCatalogueServiceApplication;
import org.pathways.gateway.GatewayApplication;
import org.pathways.identity.IdentityServiceApplication;
import org.pathways.learner.LearnerProfileServiceApplication;
import org.pathways.notification.NotificationServiceApplication;
import org.pathways.progression.ProgressionServiceApplication;
import org.pathways.referral.ReferralServiceApplication;
import org.pathways.testing.SharedInfrastructure;
import org.pathways.web.WebApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole platform as a browser meets it, started once for the test JVM: the identity-service (the demo
 * partnership's people, the web app's client calling back to the gateway's address), every service checking the
 * issuer's tokens, the web app, and the gateway in front of them all at one address, as on the devstack. Each is its
 * own Spring application on its own port, on the JVM's shared Kafka broker and MongoDB-wire store.
 */
public final class BrowserPlatform {

    /** Applications without a store or a broker (issuer, web app, gateway) keep the services' auto-config out. */
    static final String WITHOUT_STORE_OR_BROKER = SharedInfrastructure.WITHOUT_STORE_OR_BROKER;

    public static final String PASSWORD = "demo-password";

    private static BrowserPlatform instance;

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    /** The one address the browser uses: the gateway, which routes the web app at / and the API under /api. */
    public final URI address;
    public final URI issuer;
    /** The web app's own application, for a test to reach into (e.g. the tokens it holds for signed-in people). */
    private final ConfigurableApplicationContext webApp;

    private BrowserPlatform() {
        int gatewayPort = freePort();
        address = URI.create("http://localhost:" + gatewayPort);

        Map<String, String> identity = new HashMap<>(withoutStoreOrBroker());
        identity.put("spring.profiles.active", "demo");
        // The demo's web client, calling back to this gateway's address instead of the devstack's :8080
        identity.put("pathways.identity.clients[0].client-id", "pathways-web");
        identity.put("pathways.identity.clients[0].redirect-uris[0]", address + "/login/callback");
        identity.put("pathways.identity.clients[0].post-logout-redirect-uris[0]", address + "/");
        identity.put("pathways.identity.clients[1].client-id", "agency-college-system");
        identity.put("pathways.identity.clients[1].secret", "college-system-secret");
        identity.put("pathways.identity.clients[1].agency", "agency-college");
        issuer = URI.create("http://localhost:" + port(IdentityServiceApplication.run(args(identity))));
        // the issuer's address is only known now: every token names it
        int learners = service(LearnerProfileServiceApplication::run, "learner-profiles");
        int opportunities = service(OpportunityCatalogueServiceApplication::run, "opportunity-catalogue");
        int referrals = service(ReferralServiceApplication::run, "referrals");
        int notifications = service(NotificationServiceApplication::run, "notifications");
        int progression = service(ProgressionServiceApplication::run, "progression");

        Map<String, String> web = new HashMap<>(withoutStoreOrBroker());
        // In this shared JVM the gateway's jar is on the web app's classpath too: its servlet filters (FormFilter
        // moves a form's fields from the parameters into the body, for proxying) and its RestClient setup are for a
        // proxy, not for an application that reads its own forms.
        web.put("spring.autoconfigure.exclude", WITHOUT_STORE_OR_BROKER + "," + String.join(",",
                "org.springframework.cloud.gateway.server.mvc.GatewayServerMvcAutoConfiguration",
                "org.springframework.cloud.gateway.server.mvc.filter.FilterAutoConfiguration",
                "org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctionAutoConfiguration",
                "org.springframework.cloud.gateway.server.mvc.handler.GatewayMultipartAutoConfiguration",
                "org.springframework.cloud.gateway.server.mvc.predicate.PredicateAutoConfiguration",
                "org.springframework.cloud.gateway.server.mvc.GatewayMvcClassPathWarningAutoConfiguration"));
        web.put("pathways.web.api-url", address.toString());
        web.put("pathways.web.demo-accounts", "true");
        web.put("spring.security.oauth2.client.provider.pathways.issuer-uri", issuer.toString());
        web.put("springdoc.api-docs.enabled", "false");
        web.put("pathways.audit.enabled", "false");
        webApp = WebApplication.run(args(web));
        int webPort = port(webApp);

        Map<String, String> gateway = new HashMap<>(withoutStoreOrBroker());
        gateway.put("pathways.gateway.routes.learners", "http://localhost:" + learners);
        gateway.put("pathways.gateway.routes.opportunities", "http://localhost:" + opportunities);
        gateway.put("pathways.gateway.routes.referrals", "http://localhost:" + referrals);
        gateway.put("pathways.gateway.routes.notifications", "http://localhost:" + notifications);
        gateway.put("pathways.gateway.routes.progression", "http://localhost:" + progression);
        gateway.put("pathways.gateway.routes.web", "http://localhost:" + webPort);
        gateway.put("pathways.security.jwt-secret", "");
        gateway.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer.toString());
        // one browser, many pages and their static files: the per-address limit is for the API's clients
        gateway.put("pathways.gateway.protection.requests-per-period", "100000");
        List<String> gatewayArgs = new ArrayList<>(List.of(args(gateway)));
        gatewayArgs.set(0, "--server.port=" + gatewayPort);
        port(GatewayApplication.run(gatewayArgs.toArray(String[]::new)));
    }

    /** A bean of the web app's, e.g. where it keeps the signed-in people's access tokens. */
    public <T> T webAppBean(Class<T> type) {
        return webApp.getBean(type);
    }

    public static synchronized BrowserPlatform get() {
        if (instance == null) {
            instance = new BrowserPlatform();
        }
        return instance;
    }

    /** Closes every application before the JVM's broker and store go away. */
    static synchronized void stop() {
        if (instance != null) {
            instance.contexts.reversed().forEach(ConfigurableApplicationContext::close);
            instance.contexts.clear();
            instance = null;
        }
    }

    private int service(Function<String[], ConfigurableApplicationContext> application, String database) {
        Map<String, String> properties = new HashMap<>(SharedInfrastructure.serviceProperties(database));
        properties.put("pathways.security.jwt-secret", "");
        properties.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer.toString());
        properties.put("pathways.webhooks.allow-private-addresses", "true");
        properties.put("pathways.webhooks.secret-keys", "local-only:Zkh5FtAgzhsfdYEG+Qd4M1KT6kloxXSa4OdULH2eo/M=");   // local-only
        properties.put("spring.cloud.gateway.server.webmvc.function.enabled", "false");
        return port(application.apply(args(properties)));
    }

    private static Map<String, String> withoutStoreOrBroker() {
        return Map.of("spring.autoconfigure.exclude", WITHOUT_STORE_OR_BROKER,
                "spring.cloud.gateway.server.webmvc.function.enabled", "false");
    }

    private int port(ConfigurableApplicationContext context) {
        contexts.add(context);
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    private static String[] args(Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        args.add("--server.port=0");
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        return args.toArray(String[]::new);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
