package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pathways.devstack.PlatformModules.MANAGEMENT_PORT;
import static org.pathways.devstack.PlatformModules.at;
import static org.pathways.devstack.PlatformModules.value;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s cannot be applied here (no cluster, and no offline schema validator such as kubeconform can be had from
 * Debian or Maven Central), so the kustomize base is checked statically: kubectl renders it where kubectl is
 * installed, and every deployable module has a Deployment whose probes, limits, security and environment match
 * what the service reads, a Service for its API port only, an autoscaler and a disruption budget.
 */
class KubernetesManifestsTest {

    private static final Path BASE = PlatformModules.ROOT.resolve("deploy/k8s/base");
    private static final Path OPERATORS = PlatformModules.ROOT.resolve("deploy/k8s/operators");
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+_URL):");
    private static final List<Map<String, Object>> RESOURCES = new ArrayList<>();
    private static List<String> modules;

    @BeforeAll
    static void load() throws IOException {
        modules = PlatformModules.inRepository().names();
        List<String> listed = at(PlatformModules.yaml(BASE.resolve("kustomization.yaml")), "resources");
        try (Stream<Path> files = Files.list(BASE)) {
            List<String> present = files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml")).toList();
            assertThat(listed).as("kustomization lists every manifest").containsExactlyInAnyOrderElementsOf(present);
        }
        for (String file : listed) {
            RESOURCES.addAll(PlatformModules.yamlDocuments(BASE.resolve(file)));
        }
    }

    private static Map<String, Object> resource(String kind, String name) {
        return RESOURCES.stream().filter(r -> kind.equals(r.get("kind")) && name.equals(at(r, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static Map<String, Object> container(String module) {
        List<Map<String, Object>> containers = at(resource("Deployment", module), "spec", "template", "spec",
                "containers");
        assertThat(containers).hasSize(1);
        return containers.getFirst();
    }

    private static Map<String, Map<String, Object>> env(String module) {
        List<Map<String, Object>> env = at(container(module), "env");
        return env.stream().collect(Collectors.toMap(e -> (String) e.get("name"), e -> e));
    }

    @Test
    void everyDeployableModuleHasADeploymentProbedOnTheManagementPortWithLimits() {
        assertThat(modules).contains("gateway", "referral-service", "progression-service");
        for (String module : modules) {
            Map<String, Object> container = container(module);
            List<Map<String, Object>> ports = at(container, "ports");
            assertThat(ports).as(module + " ports").anySatisfy(port -> {
                assertThat(port).containsEntry("name", "management").containsEntry("containerPort", MANAGEMENT_PORT);
            });
            assertThat(env(module).get("MANAGEMENT_PORT")).as(module)
                    .containsEntry("value", String.valueOf(MANAGEMENT_PORT));
            for (String[] probe : new String[][] {
                    {"livenessProbe", "/actuator/health/liveness"}, {"readinessProbe", "/actuator/health/readiness"}}) {
                Map<String, Object> get = at(container, probe[0], "httpGet");
                assertThat(get).as(module + " " + probe[0]).containsEntry("path", probe[1])
                        .containsEntry("port", "management");
            }
            Map<String, Object> limits = at(container, "resources", "limits");
            Map<String, Object> requests = at(container, "resources", "requests");
            assertThat(limits).as(module + " limits").containsKeys("cpu", "memory");
            assertThat(requests).as(module + " requests").containsKeys("cpu", "memory");

            Map<String, Object> annotations = at(resource("Deployment", module), "spec", "template", "metadata",
                    "annotations");
            assertThat(annotations).as(module + " is scraped")
                    .containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", String.valueOf(MANAGEMENT_PORT))
                    .containsEntry("prometheus.io/path", "/actuator/prometheus");
        }
    }

    @Test
    void everyPodRunsNonRootOnAReadOnlyRootFilesystem() {
        for (String module : modules) {
            Map<String, Object> pod = at(resource("Deployment", module), "spec", "template", "spec");
            assertThat(value(pod, "securityContext", "runAsNonRoot")).as(module).isEqualTo(true);
            Map<String, Object> security = at(container(module), "securityContext");
            assertThat(security).as(module).containsEntry("readOnlyRootFilesystem", true)
                    .containsEntry("allowPrivilegeEscalation", false);
            assertThat(String.valueOf(security.get("capabilities"))).contains("drop=[ALL]");
            List<Map<String, Object>> mounts = at(container(module), "volumeMounts");
            assertThat(mounts).as(module + " has a writable /tmp").anySatisfy(
                    mount -> assertThat(mount).containsEntry("mountPath", "/tmp"));
        }
    }

    @Test
    void servicesReadKafkaMongoAndTheIssuerFromConfigAndSecrets() throws IOException {
        Map<String, Object> config = at(resource("ConfigMap", "pathways-config"), "data");
        for (String module : modules) {
            Map<String, Map<String, Object>> env = env(module);
            List<String> required = new ArrayList<>(List.of("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI"));
            if (module.equals("gateway")) {
                required.add("REDIS_URL");
                required.addAll(gatewayRouteVariables());
            } else {
                required.addAll(List.of("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI"));
            }
            assertThat(env).as(module + " environment").containsKeys(required.toArray(String[]::new));
            for (Map<String, Object> variable : env.values()) {
                String key = at(variable, "valueFrom", "configMapKeyRef", "key");
                if (key != null) {
                    assertThat(config).as(module + " reads " + key + " from pathways-config").containsKey(key);
                }
            }
            if (!module.equals("gateway")) {
                assertThat(value(env.get("MONGODB_URI"), "valueFrom", "secretKeyRef", "name"))
                        .as(module + " reads MONGODB_URI from its own user's Secret")
                        .isEqualTo("pathways-mongodb-" + module);
            }
        }
    }

    @Test
    void theGatewayRoutesToTheServicesByTheirKubernetesServices() throws IOException {
        Map<String, Map<String, Object>> env = env("gateway");
        for (String variable : gatewayRouteVariables()) {
            String url = (String) env.get(variable).get("value");
            Matcher target = Pattern.compile("http://([a-z-]+):(\\d+)").matcher(url);
            assertThat(target.matches()).as(variable + "=" + url).isTrue();
            List<Map<String, Object>> ports = at(resource("Service", target.group(1)), "spec", "ports");
            assertThat(ports).as(url).anySatisfy(
                    port -> assertThat(port.get("port")).isEqualTo(Integer.parseInt(target.group(2))));
        }
    }

    @Test
    void everyModuleHasAServiceForItsApiOnlyAnAutoscalerAndADisruptionBudget() {
        for (String module : modules) {
            Map<String, Object> podLabels = at(resource("Deployment", module), "spec", "template", "metadata",
                    "labels");
            Map<String, Object> selector = at(resource("Service", module), "spec", "selector");
            assertThat(podLabels).as(module + " Service selects its pods").containsAllEntriesOf(selector);
            List<Map<String, Object>> ports = at(resource("Service", module), "spec", "ports");
            assertThat(ports).as(module + ": the management port is on no Service")
                    .noneSatisfy(port -> assertThat(port.get("targetPort")).isIn(MANAGEMENT_PORT, "management"))
                    .anySatisfy(port -> assertThat(port).containsEntry("targetPort", "http"));

            assertThat(value(resource("HorizontalPodAutoscaler", module), "spec", "scaleTargetRef", "name"))
                    .as(module + " autoscaler").isEqualTo(module);
            Integer minReplicas = at(resource("HorizontalPodAutoscaler", module), "spec", "minReplicas");
            assertThat(minReplicas).isGreaterThanOrEqualTo(2);
            Map<String, Object> budget = at(resource("PodDisruptionBudget", module), "spec", "selector",
                    "matchLabels");
            assertThat(podLabels).as(module + " disruption budget").containsAllEntriesOf(budget);
        }
    }

    @Test
    void theIngressReachesOnlyTheGatewaysApiPort() {
        List<Map<String, Object>> ingresses = RESOURCES.stream().filter(r -> "Ingress".equals(r.get("kind"))).toList();
        // The API, with nginx's 1 MB body limit; and HSDS imports alone, with 200 MB (the limit is per Ingress).
        assertThat(ingresses).extracting(ingress -> value(ingress, "metadata", "name"))
                .containsExactlyInAnyOrder("pathways", "pathways-hsds-imports");
        for (Map<String, Object> ingress : ingresses) {
            List<Map<String, Object>> rules = at(ingress, "spec", "rules");
            for (Map<String, Object> rule : rules) {
                List<Map<String, Object>> paths = at(rule, "http", "paths");
                for (Map<String, Object> path : paths) {
                    assertThat(value(path, "backend", "service", "name")).isEqualTo("gateway");
                    assertThat(value(path, "backend", "service", "port", "name")).isEqualTo("http");
                    if ("pathways-hsds-imports".equals(value(ingress, "metadata", "name"))) {
                        assertThat(value(path, "path")).isEqualTo("/api/hsds/imports");
                    }
                }
            }
        }
        assertThat(RESOURCES).anySatisfy(r -> assertThat(r).containsEntry("kind", "Namespace"));
        for (Map<String, Object> resource : RESOURCES) {
            if (!"Namespace".equals(resource.get("kind"))) {
                assertThat(value(resource, "metadata", "labels", "app.kubernetes.io/part-of")).as(
                        resource.get("kind") + " " + at(resource, "metadata", "name")).isEqualTo("pathways");
            }
        }
    }

    @Test
    void kubectlRendersTheKustomizeBaseWhereInstalled() throws Exception {
        Process version;
        try {
            version = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            version.getInputStream().readAllBytes();
        } catch (IOException notInstalled) {
            version = null;
        }
        assumeTrue(version != null && version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0,
                "no kubectl on this machine");
        Process render = new ProcessBuilder("kubectl", "kustomize", BASE.toString()).redirectErrorStream(true).start();
        String output = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(render.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(render.exitValue()).as(output).isZero();
        Map<String, Integer> kinds = new HashMap<>();
        Matcher kind = Pattern.compile("(?m)^kind: (\\w+)$").matcher(output);
        while (kind.find()) {
            kinds.merge(kind.group(1), 1, Integer::sum);
        }
        // and the web app (web.yaml): a Deployment and a Service, one replica (its sessions are in memory), no autoscaler
        assertThat(kinds).containsEntry("Deployment", modules.size() + 1).containsEntry("Service", modules.size() + 1)
                .containsEntry("HorizontalPodAutoscaler", modules.size())
                .containsEntry("PodDisruptionBudget", modules.size());
        assertThat(output).contains("namespace: pathways");
    }

    @Test
    void eachServicesKafkaUserGrantsExactlyWhatTheDevstacksBrokerGrants() throws IOException {
        List<Map<String, Object>> users = PlatformModules.yamlDocuments(OPERATORS.resolve("kafka-users.yaml"));
        assertThat(users).allSatisfy(user -> {
            assertThat(user).containsEntry("kind", "KafkaUser");
            assertThat(value(user, "metadata", "namespace")).isEqualTo("pathways");
            assertThat(value(user, "metadata", "labels", "strimzi.io/cluster")).isEqualTo("pathways");
            assertThat(value(user, "spec", "authentication", "type")).isEqualTo("scram-sha-512");
            assertThat(value(user, "spec", "authorization", "type")).isEqualTo("simple");
        });
        Map<String, Set<AclBinding>> granted = new TreeMap<>();
        for (Map<String, Object> user : users) {
            String name = at(user, "metadata", "name");
            List<Map<String, Object>> acls = at(user, "spec", "authorization", "acls");
            Set<AclBinding> bindings = new HashSet<>();
            for (Map<String, Object> acl : acls) {
                ResourcePattern resource = new ResourcePattern(
                        ResourceType.fromString(at(acl, "resource", "type")), at(acl, "resource", "name"),
                        "prefix".equals(at(acl, "resource", "patternType")) ? PatternType.PREFIXED
                                : PatternType.LITERAL);
                assertThat(acl.getOrDefault("host", "*")).isEqualTo("*");
                List<String> operations = at(acl, "operations");
                for (String operation : operations) {
                    bindings.add(new AclBinding(resource, new AccessControlEntry("User:" + name, "*",
                            AclOperation.fromString(operation), AclPermissionType.ALLOW)));
                }
            }
            granted.put(name, bindings);
        }
        Map<String, Set<AclBinding>> devstack = new TreeMap<>();
        KafkaAccess.SERVICES.forEach(service -> devstack.put(service.principal(), Set.copyOf(service.aclBindings())));
        assertThat(granted).isEqualTo(devstack);
    }

    @Test
    void theKafkaClusterAuthenticatesAuthorisesAndAdmitsOnlyThePathwaysNamespace() throws IOException {
        List<Map<String, Object>> kafka = PlatformModules.yamlDocuments(OPERATORS.resolve("kafka.yaml"));
        Map<String, Object> cluster = kafka.stream().filter(r -> "Kafka".equals(r.get("kind"))).findFirst()
                .orElseThrow();
        List<Map<String, Object>> listeners = at(cluster, "spec", "kafka", "listeners");
        assertThat(listeners).isNotEmpty().allSatisfy(listener -> {
            assertThat(listener).containsEntry("tls", true);
            assertThat(value(listener, "authentication", "type")).isEqualTo("scram-sha-512");
        });
        assertThat(value(cluster, "spec", "kafka", "authorization", "type")).isEqualTo("simple");
        assertThat(value(cluster, "spec", "entityOperator", "userOperator", "watchedNamespace"))
                .as("the users' password Secrets are made where the services run").isEqualTo("pathways");
        int port = (Integer) listeners.getFirst().get("port");
        assertThat(at(resource("ConfigMap", "pathways-config"), "data", "KAFKA_BOOTSTRAP_SERVERS").toString())
                .endsWith(":" + port);

        assertThat(kafka.stream().filter(r -> "KafkaTopic".equals(r.get("kind")))
                .map(topic -> (String) at(topic, "metadata", "name")))
                .as("every topic is made by the operator, as the devstack's admin makes them")
                .containsExactlyInAnyOrderElementsOf(KafkaAccess.allTopics());

        Map<String, Object> policy = kafka.stream().filter(r -> "NetworkPolicy".equals(r.get("kind"))).findFirst()
                .orElseThrow();
        assertThat(value(policy, "metadata", "namespace")).isEqualTo("kafka");
        List<Map<String, Object>> rules = at(policy, "spec", "ingress");
        List<Map<String, Object>> toClientPort = rules.stream().filter(rule -> String.valueOf(rule.get("ports"))
                .contains("port=" + port)).toList();
        assertThat(toClientPort).singleElement().satisfies(rule -> assertThat(String.valueOf(rule.get("from")))
                .isEqualTo("[{namespaceSelector={matchLabels={kubernetes.io/metadata.name=pathways}}}]"));
        for (Map<String, Object> rule : rules) {
            if (rule.get("ports") == null) {
                assertThat(String.valueOf(rule.get("from"))).as("unrestricted ports only within the namespace")
                        .isEqualTo("[{podSelector={}}]");
            }
        }
    }

    @Test
    void eachServiceAuthenticatesToKafkaAsItselfOverTls() {
        Map<String, Object> config = at(resource("ConfigMap", "pathways-config"), "data");
        assertThat(config).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        for (KafkaAccess service : KafkaAccess.SERVICES) {
            String module = service.principal();
            Map<String, Map<String, Object>> env = env(module);
            assertThat(env).as(module).containsKeys("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM");
            assertThat(env.get("KAFKA_SASL_USERNAME")).as(module).containsEntry("value", module);
            assertThat(value(env.get("KAFKA_SASL_PASSWORD"), "valueFrom", "secretKeyRef"))
                    .as(module + " reads the password Strimzi wrote for its KafkaUser")
                    .isEqualTo(Map.of("name", module, "key", "password"));
            String trustStore = (String) env.get("KAFKA_SSL_TRUSTSTORE_LOCATION").get("value");
            List<Map<String, Object>> mounts = at(container(module), "volumeMounts");
            Map<String, Object> mount = mounts.stream().filter(m -> trustStore.startsWith(m.get("mountPath") + "/"))
                    .findFirst().orElseThrow(() -> new AssertionError(module + " mounts no " + trustStore));
            List<Map<String, Object>> volumes = at(resource("Deployment", module), "spec", "template", "spec",
                    "volumes");
            assertThat(volumes).as(module + " trusts the Kafka cluster CA").anySatisfy(volume -> {
                assertThat(volume).containsEntry("name", mount.get("name"));
                assertThat(value(volume, "secret", "secretName")).isEqualTo("pathways-cluster-ca-cert");
            });
        }
    }

    @Test
    void eachServiceHasAMongoUserThatMayUseOnlyItsOwnDatabase() throws IOException {
        Map<String, Object> mongo = PlatformModules.yamlDocuments(OPERATORS.resolve("mongodb.yaml")).getFirst();
        List<Map<String, Object>> users = at(mongo, "spec", "users");
        for (KafkaAccess service : KafkaAccess.SERVICES) {
            String module = service.principal();
            String database = (String) env(module).get("MONGODB_DATABASE").get("value");
            Map<String, Object> user = users.stream().filter(u -> module.equals(u.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no MongoDB user " + module));
            assertThat(user.get("roles")).as(module)
                    .isEqualTo(List.of(Map.of("name", "readWrite", "db", database)));
            assertThat(user).containsEntry("connectionStringSecretName", "pathways-mongodb-" + module);
        }
        assertThat(users).hasSize(KafkaAccess.SERVICES.size());
    }

    /** The gateway reads its route targets from these variables (gateway.yml: {@code ${REFERRAL_SERVICE_URL:...}}). */
    private static List<String> gatewayRouteVariables() throws IOException {
        String config = Files.readString(PlatformModules.ROOT.resolve("gateway/src/main/resources/gateway.yml"));
        List<String> variables = new ArrayList<>();
        Matcher matcher = ENV_PLACEHOLDER.matcher(config);
        while (matcher.find()) {
            if (!matcher.group(1).equals("REDIS_URL")) {
                variables.add(matcher.group(1));
            }
        }
        assertThat(variables).hasSizeGreaterThanOrEqualTo(5);
        return variables;
    }
}
