package org.pathways.notification.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointPolicyTest {

    /** A DNS of our own, so that no test depends on the network. */
    private static final Map<String, String> DNS = Map.of(
            "hooks.college.example", "93.184.216.34",
            "rebound.example", "10.0.0.7",
            "metadata.example", "169.254.169.254");

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String address = DNS.get(host);
        if (address == null) {
            if (host.equals("localhost")) {
                return new InetAddress[] {InetAddress.getLoopbackAddress()};
            }
            if (Character.isLetter(host.charAt(host.length() - 1))) {
                throw new UnknownHostException(host);
            }
            return InetAddress.getAllByName(host);    // an IP literal: parsed, no lookup
        }
        return new InetAddress[] {InetAddress.getByName(address)};
    }

    private final EndpointPolicy byDefault = new EndpointPolicy(false, EndpointPolicyTest::resolve);
    private final EndpointPolicy devstack = new EndpointPolicy(true, EndpointPolicyTest::resolve);

    @Test
    void acceptsAnHttpsOrHttpEndpointOnAPublicAddress() {
        assertThat(byDefault.check("https://hooks.college.example/pathways?v=1"))
                .isEqualTo(URI.create("https://hooks.college.example/pathways?v=1"));
        assertThat(byDefault.check("http://93.184.216.34:8443/hooks")).hasHost("93.184.216.34");
        assertThat(byDefault.check("HTTPS://[2606:2800:220:1:248:1893:25c8:1946]/hooks")).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://localhost:8080/hooks",
            "http://127.0.0.1/hooks",
            "http://127.1.2.3/hooks",
            "http://[::1]/hooks",
            "http://0.0.0.0/hooks",
            "http://[::]/hooks",
            "http://10.1.2.3/hooks",
            "http://172.16.0.1/hooks",
            "http://192.168.1.10/hooks",
            "http://169.254.169.254/latest/meta-data",
            "http://[fe80::1]/hooks",
            "http://[fd12:3456::1]/hooks",
            "http://224.0.0.1/hooks",
            "http://100.64.0.1/hooks",
            "http://255.255.255.255/hooks",
            "http://[::ffff:127.0.0.1]/hooks",
            "http://[::ffff:10.0.0.1]/hooks",
            "http://[::127.0.0.1]/hooks",
            "http://[64:ff9b::a00:1]/hooks",
            "https://rebound.example/hooks",
            "https://metadata.example/hooks"})
    void refusesEndpointsOnLoopbackPrivateLinkLocalMulticastOrUnspecifiedAddresses(String url) {
        assertThatThrownBy(() -> byDefault.check(url))
                .isInstanceOf(EndpointPolicy.RejectedEndpoint.class)
                .hasMessageContaining("public addresses only");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:8080/hooks", "http://127.0.0.1:9000/hooks", "http://10.1.2.3/hooks",
            "https://rebound.example/hooks"})
    void acceptsPrivateAddressesWhenTheDevstackAllowsThem(String url) {
        assertThat(devstack.check(url)).isEqualTo(URI.create(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.college.example/x", "file:///etc/passwd", "gopher://hooks.college.example",
            "javascript:alert(1)", "mailto:admin@college.example", "/relative/hooks", "hooks.college.example/x",
            "not a url", "https://", "http:///hooks", "https://user:pass@hooks.college.example/",
            "https://hooks.college.example/#fragment", ""})
    void refusesWhatIsNotAnAbsoluteHttpUrlWithAHostWhateverTheSetting(String url) {
        assertThatThrownBy(() -> devstack.check(url)).isInstanceOf(EndpointPolicy.RejectedEndpoint.class);
        assertThatThrownBy(() -> byDefault.check(url)).isInstanceOf(EndpointPolicy.RejectedEndpoint.class);
    }

    @Test
    void refusesAHostThatDoesNotResolveAndATooLongUrl() {
        assertThatThrownBy(() -> byDefault.check("https://nowhere.invalid/hooks"))
                .hasMessageContaining("does not resolve");
        assertThatThrownBy(() -> byDefault.check("https://hooks.college.example/" + "a".repeat(2100)))
                .isInstanceOf(EndpointPolicy.RejectedEndpoint.class);
    }

    @Test
    void theReasonNeverEchoesTheEndpoint() {
        assertThatThrownBy(() -> byDefault.check("https://rebound.example/secret-path"))
                .message().doesNotContain("rebound").doesNotContain("secret-path");
    }
}
