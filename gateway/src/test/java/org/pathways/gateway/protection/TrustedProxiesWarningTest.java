package org.pathways.gateway.protection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

/** A gateway on Kubernetes that trusts no proxy says so at start: behind the ingress every client is one address. */
@ExtendWith(OutputCaptureExtension.class)
class TrustedProxiesWarningTest {

    private static void start(MockEnvironment environment) throws Exception {
        new GatewayProtection().trustedProxiesChecked(environment).afterPropertiesSet();
    }

    @Test
    void onKubernetesWithNoProxyTrustedTheGatewayWarnsAtStart(CapturedOutput output) throws Exception {
        start(new MockEnvironment().withProperty("spring.main.cloud-platform", "kubernetes")
                .withProperty("server.tomcat.remoteip.internal-proxies", "^$"));
        assertThat(output.getOut()).contains("WARN").contains("GATEWAY_TRUSTED_PROXIES");
    }

    @Test
    void withTheIngressNamedOrOffAPlatformItDoesNot(CapturedOutput output) throws Exception {
        start(new MockEnvironment().withProperty("spring.main.cloud-platform", "kubernetes")
                .withProperty("server.tomcat.remoteip.internal-proxies", "10.244.0.0/16"));
        start(new MockEnvironment().withProperty("server.tomcat.remoteip.internal-proxies", "^$"));
        assertThat(output.getOut()).doesNotContain("GATEWAY_TRUSTED_PROXIES");
    }
}
