package org.pathways.notification.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;

import com.google.common.net.InetAddresses;
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
    @ValueSource(strings = {
            "http://[2002:7f00:1::1]/hooks",                        // 6to4 of 127.0.0.1
            "http://[2002:a00:1::]/hooks",                          // 6to4 of 10.0.0.1
            "http://[2002:a9fe:a9fe::1]/latest/meta-data",          // 6to4 of 169.254.169.254
            "http://[2002:c0a8:101:1::1]/hooks",                    // 6to4 of 192.168.1.1
            "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hooks",  // Teredo, client 10.0.0.1 (inverted)
            "http://[2001:0:4136:e378::80ff:fffe]/hooks",           // Teredo, client 127.0.0.1
            "http://[2001:0:a00:1:8000:63bf:a247:27dd]/hooks",      // Teredo, server 10.0.0.1, public client
            "http://[64:ff9b::7f00:1]/hooks",                       // NAT64 of 127.0.0.1
            "http://[64:ff9b::a9fe:a9fe]/hooks",                    // NAT64 of 169.254.169.254
            "http://[64:ff9b:1::a00:1]/hooks",                      // local-use NAT64, whatever it embeds
            "http://[64:ff9b:1:abcd::5db8:d822]/hooks",
            "http://[::a9fe:a9fe]/hooks",                           // IPv4-compatible 169.254.169.254
            "http://[::ffff:a9fe:a9fe]/hooks"})                     // IPv4-mapped 169.254.169.254
    void refusesIPv6AddressesThatCarryAPrivateIPv4AddressOn(String url) {
        assertThatThrownBy(() -> byDefault.check(url))
                .isInstanceOf(EndpointPolicy.RejectedEndpoint.class)
                .hasMessageContaining("public addresses only");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://[2002:5db8:d822::1]/hooks",                     // 6to4 of 93.184.216.34
            "http://[2001:0:4136:e378:8000:63bf:a247:27dd]/hooks",  // Teredo, public server and client
            "http://[64:ff9b::5db8:d822]/hooks",                    // NAT64 of 93.184.216.34
            "http://[::ffff:5db8:d822]/hooks"})
    void acceptsIPv6AddressesThatCarryAPublicIPv4Address(String url) {
        assertThat(byDefault.check(url)).isEqualTo(URI.create(url));
    }

    /**
     * Java turns an IPv4-mapped literal into an {@link java.net.Inet4Address} when it parses one, but a resolver may
     * hand over an {@link Inet6Address} holding it (or an IPv4-compatible one) as it is: the guard looks inside.
     */
    @ParameterizedTest
    @ValueSource(strings = {"::ffff:7f00:1", "::ffff:a00:1", "::ffff:a9fe:a9fe", "::a00:1", "2002:a9fe:a9fe::1"})
    void refusesAHostResolvingToAnIPv6FormOfAPrivateIPv4Address(String v6) throws Exception {
        InetAddress resolved = Inet6Address.getByAddress(null, ipv6Bytes(v6), -1);
        assertThat(resolved).isInstanceOf(Inet6Address.class);
        EndpointPolicy policy = new EndpointPolicy(false, host -> new InetAddress[] {resolved});
        assertThatThrownBy(() -> policy.check("https://hooks.college.example/hooks"))
                .hasMessageContaining("public addresses only");
        assertThatThrownBy(() -> policy.addressesFor("hooks.college.example"))
                .isInstanceOf(EndpointPolicy.RefusedAddress.class);
    }

    /** The 16 bytes of an IPv6 literal, whatever Java would make of it. */
    private static byte[] ipv6Bytes(String literal) {
        InetAddress parsed = InetAddresses.forString(literal);
        if (parsed instanceof Inet6Address) {
            return parsed.getAddress();
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(parsed.getAddress(), 0, mapped, 12, 4);
        return mapped;
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
            "https://hooks.college.example/#fragment", "", "https://hooks.college.example:99999/x",
            "https://hooks.college.example:0/x", "http://127.0.0.1:65536/x"})
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
