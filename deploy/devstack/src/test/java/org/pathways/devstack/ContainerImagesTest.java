package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pathways.devstack.PlatformModules.at;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * One name per image: the Maven build (Jib, {@code -Pimages}) names each deployable module's image
 * {@code <pathways.image.registry>/<module>:<version>}, and docker-compose.yml and deploy/k8s run exactly that image;
 * the image runs as a non-root user with the devstack's JVM settings.
 */
class ContainerImagesTest {

    private static final Path ROOT = PlatformModules.ROOT;
    private static Document parent;
    private static XPath xpath;

    @BeforeAll
    static void readTheBuild() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        parent = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        xpath = XPathFactory.newInstance().newXPath();
    }

    private static String text(Document pom, String path) throws Exception {
        return ((String) xpath.evaluate(path, pom, XPathConstants.STRING)).strip();
    }

    /** The image the build makes for {@code module}: the Jib {@code to.image} with the build's own properties. */
    private static String image(String module) throws Exception {
        String template = text(parent, "//pluginManagement//plugin[artifactId='jib-maven-plugin']//to/image");
        assertThat(template).isEqualTo("${pathways.image.registry}/${project.artifactId}:${project.version}");
        return text(parent, "/project/properties/pathways.image.registry") + "/" + module + ":"
                + text(parent, "/project/version");
    }

    private static List<String> deployableModules() {
        return PlatformService.all().stream().map(PlatformService::module).toList();
    }

    @Test
    void everyModuleTheDevstackRunsHasAnImageProfile() throws Exception {
        for (String module : deployableModules()) {
            Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(ROOT.resolve(module).resolve("pom.xml").toFile());
            NodeList plugins = (NodeList) xpath.evaluate(
                    "/project/profiles/profile[id='images']/build/plugins/plugin/artifactId", pom,
                    XPathConstants.NODESET);
            List<String> names = new java.util.ArrayList<>();
            for (int i = 0; i < plugins.getLength(); i++) {
                names.add(plugins.item(i).getTextContent().strip());
            }
            assertThat(names).as(module + ": the registry check, then Jib")
                    .containsExactly("gmavenplus-plugin", "jib-maven-plugin");
            assertThat(text(pom, "/project/build/plugins/plugin/executions/execution/goals/goal[.='buildTar']"))
                    .as(module + " does not build an image outside the profile").isEmpty();
        }
    }

    @Test
    void theImageRunsAsANonRootUserWithTheDevstacksJvmSettings() throws Exception {
        String jib = "//pluginManagement//plugin[artifactId='jib-maven-plugin']/configuration/container";
        NodeList flags = (NodeList) xpath.evaluate(jib + "/jvmFlags/jvmFlag", parent, XPathConstants.NODESET);
        List<String> jvmFlags = new java.util.ArrayList<>();
        for (int i = 0; i < flags.getLength(); i++) {
            jvmFlags.add(flags.item(i).getTextContent().strip());
        }
        assertThat(jvmFlags).isEqualTo(ServiceLaunch.JVM_OPTIONS);
        String user = text(parent, jib + "/user");
        assertThat(user).matches("\\d+:\\d+");
        assertThat(Integer.parseInt(user.substring(0, user.indexOf(':')))).as("uid").isPositive();
        // Kubernetes runs the pods as that same user.
        for (String module : PlatformModules.inRepository().names()) {
            Map<String, Object> deployment = deployments().stream()
                    .filter(d -> module.equals(at(d, "metadata", "name"))).findFirst().orElseThrow();
            Object runAsUser = PlatformModules.value(deployment, "spec", "template", "spec", "securityContext",
                    "runAsUser");
            assertThat(String.valueOf(runAsUser)).as(module).isEqualTo(user.substring(0, user.indexOf(':')));
        }
    }

    @Test
    void composeRunsExactlyTheImagesTheBuildMakes() throws Exception {
        Map<String, Object> compose = PlatformModules.yaml(ROOT.resolve("docker-compose.yml"));
        Map<String, Map<String, Object>> services = at(compose, "services");
        for (String module : deployableModules()) {
            assertThat(services.get(module)).as(module).containsEntry("image", image(module));
            assertThat(String.valueOf(services.get(module).get("volumes"))).as(module + " mounts no jar")
                    .doesNotContain(".jar");
        }
    }

    @Test
    void kubernetesRunsExactlyTheImagesTheBuildMakes() throws Exception {
        List<Map<String, Object>> deployments = deployments();
        assertThat(deployments).isNotEmpty();
        for (Map<String, Object> deployment : deployments) {
            String module = at(deployment, "metadata", "name");
            List<Map<String, Object>> containers = at(deployment, "spec", "template", "spec", "containers");
            assertThat(containers).as(module).singleElement()
                    .satisfies(container -> assertThat(container.get("image")).isEqualTo(image(module)));
            assertThat(deployableModules()).as("an image the build makes").contains(module);
        }
    }

    private static List<Map<String, Object>> deployments() throws IOException {
        List<Map<String, Object>> deployments = new java.util.ArrayList<>();
        try (var files = Files.list(ROOT.resolve("deploy/k8s/base"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                PlatformModules.yamlDocuments(file).stream()
                        .filter(r -> Objects.equals(r.get("kind"), "Deployment")).forEach(deployments::add);
            }
        }
        return deployments;
    }
}
