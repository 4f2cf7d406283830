package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pathways.devstack.PlatformModules.MANAGEMENT_PORT;
import static org.pathways.devstack.PlatformModules.at;
import static org.pathways.devstack.PlatformModules.yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * deploy/observability cannot be run here (no Docker engine), so it is checked statically: Prometheus scrapes every
 * deployable module where compose puts its management port, the alerts and the dashboard use only meters the code
 * registers, Grafana's provisioning points at the files compose mounts and, where promtool is installed (Debian's
 * {@code prometheus} package), Prometheus itself accepts the configuration, the rules and the rules' unit tests.
 */
class ObservabilityConfigTest {

    private static final Path OBSERVABILITY = PlatformModules.ROOT.resolve("deploy/observability");
    private static final Path PROMETHEUS = OBSERVABILITY.resolve("prometheus/prometheus.yml");
    private static final Path PROMETHEUS_K8S = OBSERVABILITY.resolve("prometheus/prometheus-kubernetes.yml");
    private static final Path RULES = OBSERVABILITY.resolve("prometheus/rules");
    private static final Path RULE_TESTS = OBSERVABILITY.resolve("prometheus/tests/pathways-alerts.test.yml");
    private static final Path DASHBOARDS = OBSERVABILITY.resolve("grafana/dashboards");
    private static final Path COMPOSE = PlatformModules.ROOT.resolve("docker-compose.yml");
    /** Micrometer's Prometheus suffixes: base unit and type. */
    private static final Pattern OWN_METRIC = Pattern.compile(
            "\\b(pathways_[a-z_]+?)(?:_seconds)?(?:_total|_bucket|_count|_sum|_max)?\\b");

    @Test
    void prometheusScrapesEveryDeployableModuleOnTheManagementPortComposeGivesIt() throws IOException {
        List<String> modules = PlatformModules.inRepository().names();
        assertThat(modules).contains("gateway", "referral-service", "notification-service");
        Map<String, Object> job = scrapeJob(yaml(PROMETHEUS), "pathways");
        assertThat(job).containsEntry("metrics_path", "/actuator/prometheus");
        List<Map<String, Object>> staticConfigs = at(job, "static_configs");
        List<String> targets = staticConfigs.stream().flatMap(c -> ((List<String>) c.get("targets")).stream()).toList();

        Map<String, Map<String, Object>> services = at(yaml(COMPOSE), "services");
        for (String module : modules) {
            assertThat(targets).as("Prometheus scrapes " + module).contains(module + ":" + MANAGEMENT_PORT);
            Map<String, Object> environment = at(services.get(module), "environment");
            assertThat(environment).as(module + " in compose").isNotNull();
            assertThat(String.valueOf(environment.get("MANAGEMENT_PORT")))
                    .as(module + "'s MANAGEMENT_PORT in compose").isEqualTo(String.valueOf(MANAGEMENT_PORT));
        }
        // The port is named the way service-platform reads it.
        assertThat(Files.readString(PlatformModules.ROOT.resolve(
                "service-platform/src/main/resources/pathways-platform.yml"))).contains("port: ${MANAGEMENT_PORT:}");
    }

    @Test
    void composeRunsPrometheusGrafanaAndRedisOnTheFilesHere() throws IOException {
        Map<String, Map<String, Object>> services = at(yaml(COMPOSE), "services");
        assertThat(services).containsKeys("prometheus", "grafana", "redis", "kafka-exporter");
        for (String service : List.of("prometheus", "grafana")) {
            List<String> volumes = at(services.get(service), "volumes");
            for (String volume : volumes) {
                Path source = PlatformModules.ROOT.resolve(volume.substring(0, volume.indexOf(':'))).normalize();
                assertThat(source).as(service + " mounts " + volume).exists();
            }
        }
        Map<String, Object> gatewayEnvironment = at(services.get("gateway"), "environment");
        assertThat(gatewayEnvironment).containsEntry("REDIS_URL", "redis://redis:6379");
        Object scrapeConfigs = at(yaml(PROMETHEUS), "scrape_configs");
        assertThat(String.valueOf(scrapeConfigs)).contains("kafka-exporter:9308");

        Map<String, Object> provider = ((List<Map<String, Object>>) at(yaml(OBSERVABILITY.resolve(
                "grafana/provisioning/dashboards/pathways.yml")), "providers")).getFirst();
        List<String> grafanaVolumes = at(services.get("grafana"), "volumes");
        String dashboardsPath = at(provider, "options", "path");
        assertThat(grafanaVolumes).contains("./deploy/observability/grafana/dashboards:" + dashboardsPath + ":ro");
    }

    @Test
    void alertsAndDashboardUseOnlyMetersTheCodeRegisters() throws IOException {
        Set<String> registered = meterNamesInCode();
        Set<String> used = new LinkedHashSet<>();
        for (String expression : ruleExpressions()) {
            used.addAll(ownMeters(expression));
        }
        for (String expression : dashboardExpressions()) {
            used.addAll(ownMeters(expression));
        }
        assertThat(used).contains("pathways.outbox.lag", "pathways.webhooks.attempts", "pathways.outbox.failures");
        for (String meter : used) {
            assertThat(registered).as("a meter named " + meter + " in the code").contains(meter);
        }
    }

    @Test
    void everyDashboardPanelQueriesTheProvisionedDatasource() throws IOException {
        Map<String, Object> datasource = ((List<Map<String, Object>>) at(yaml(OBSERVABILITY.resolve(
                "grafana/provisioning/datasources/prometheus.yml")), "datasources")).getFirst();
        assertThat(datasource).containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");
        int targets = 0;
        for (JsonNode dashboard : dashboards()) {
            assertThat(dashboard.path("uid").asString()).isNotBlank();
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    assertThat(target.path("datasource").path("uid").asString()).as(panel.path("title").asString())
                            .isEqualTo(datasource.get("uid"));
                    targets++;
                }
            }
        }
        assertThat(targets).isGreaterThanOrEqualTo(10);
    }

    @Test
    void promtoolAcceptsTheConfigurationsRulesAndDashboardQueries(@TempDir Path work) throws Exception {
        assumeTrue(promtoolInstalled(), "no promtool on this machine (Debian: apt-get install prometheus)");
        String rulesDir = RULES.toString();
        Path compose = work.resolve("prometheus.yml");
        Files.writeString(compose, Files.readString(PROMETHEUS).replace("/etc/prometheus/rules", rulesDir));
        assertPromtool("check", "config", compose.toString());
        try (Stream<Path> rules = Files.list(RULES)) {
            for (Path file : rules.toList()) {
                assertPromtool("check", "rules", file.toString());
            }
        }
        assertPromtool("test", "rules", RULE_TESTS.toString());

        // The dashboard's PromQL, as recording rules, so that promtool parses every query.
        StringBuilder queries = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String expression : dashboardExpressions()) {
            queries.append("      - record: dashboard_query_").append(i++).append("\n        expr: '")
                    .append(expression.replace("$application", ".*").replace("'", "''")).append("'\n");
        }
        Path dashboardRules = work.resolve("dashboard-queries.yml");
        Files.writeString(dashboardRules, queries);
        assertPromtool("check", "rules", dashboardRules.toString());
    }

    @Test
    void promtoolAcceptsTheKubernetesConfiguration(@TempDir Path work) throws Exception {
        assumeTrue(promtoolInstalled(), "no promtool on this machine (Debian: apt-get install prometheus)");
        String rulesDir = RULES.toString();
        Path kubernetes = work.resolve("prometheus-kubernetes.yml");
        Files.writeString(kubernetes, Files.readString(PROMETHEUS_K8S).replace("/etc/prometheus/rules", rulesDir));
        String output = promtool("check", "config", kubernetes.toString());
        // Debian builds Prometheus without Kubernetes discovery; there this one file cannot be checked.
        assumeFalse(output.contains("field kubernetes_sd_configs not found"),
                "this promtool has no Kubernetes service discovery");
        assertThat(output).contains("SUCCESS").doesNotContain("FAILED");
    }

    private static Map<String, Object> scrapeJob(Map<String, Object> config, String name) {
        List<Map<String, Object>> jobs = at(config, "scrape_configs");
        return jobs.stream().filter(job -> name.equals(job.get("job_name"))).findFirst().orElseThrow();
    }

    private static List<String> ruleExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        try (Stream<Path> files = Files.list(RULES)) {
            for (Path file : files.toList()) {
                List<Map<String, Object>> groups = at(yaml(file), "groups");
                for (Map<String, Object> group : groups) {
                    for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                        expressions.add(String.valueOf(rule.get("expr")));
                    }
                }
            }
        }
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(6);
        return expressions;
    }

    private static List<JsonNode> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            JsonMapper json = JsonMapper.builder().build();
            return files.filter(f -> f.toString().endsWith(".json")).map(f -> json.readTree(f.toFile())).toList();
        }
    }

    private static List<String> dashboardExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        for (JsonNode dashboard : dashboards()) {
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    expressions.add(target.path("expr").asString());
                }
            }
        }
        return expressions;
    }

    /** {@code pathways_outbox_lag_seconds_bucket} → {@code pathways.outbox.lag}. */
    private static Set<String> ownMeters(String expression) {
        Set<String> meters = new LinkedHashSet<>();
        Matcher matcher = OWN_METRIC.matcher(expression);
        while (matcher.find()) {
            meters.add(matcher.group(1).replace('_', '.'));
        }
        return meters;
    }

    /** Every string literal {@code "pathways.…"} in the modules' main code: the meter names (and a few others). */
    private static Set<String> meterNamesInCode() throws IOException {
        // Prometheus writes "." and "-" alike as "_": "pathways.inbox.parked-erasures" is pathways_inbox_parked_erasures.
        Pattern literal = Pattern.compile("\"(pathways\\.[a-z.-]+)\"");
        Set<String> names = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(PlatformModules.ROOT, 16)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")
                    && f.toString().contains("/src/main/java/") && !f.toString().contains("/target/")).toList()) {
                Matcher matcher = literal.matcher(Files.readString(file));
                while (matcher.find()) {
                    names.add(matcher.group(1).replace('-', '.'));
                }
            }
        }
        return names;
    }

    private static boolean promtoolInstalled() {
        try {
            Process process = new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException | InterruptedException notInstalled) {
            return false;
        }
    }

    private static String promtool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        return output + "\nexit " + process.exitValue();
    }

    private static void assertPromtool(String... arguments) throws Exception {
        String output = promtool(arguments);
        assertThat(output).as("promtool " + String.join(" ", arguments) + ":\n" + output).endsWith("exit 0");
    }
}
