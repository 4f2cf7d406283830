package org.pathways.notification.subscription;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.google.common.net.InetAddresses;

/**
 * Which webhook endpoints Pathways will call. A webhook makes our servers send requests to an address someone typed
 * in, so without a check an agency admin could aim them at our own network (server-side request forgery): the cloud
 * metadata service, an admin port on loopback, a database on a private subnet. An endpoint must be an absolute http or
 * https URL without credentials, and unless private addresses are allowed (devstack, tests), every address its host
 * resolves to must be public. It is checked at registration, and on every attempt on the addresses actually connected
 * to ({@link #addressesFor}, the webhook client's only DNS lookup), so that a host whose DNS answer changes after the
 * check (DNS rebinding) cannot lead a request inside. An IPv6 address that carries an IPv4 address on (mapped,
 * compatible, NAT64, 6to4, Teredo) is judged by that IPv4 address too ({@link #embeddedIPv4}).
 */
public class EndpointPolicy {

    private static final Set<String> SCHEMES = Set.of("https", "http");
    private static final int MAX_LENGTH = 2048;

    /** Resolves a host name to its addresses; a seam so that tests can play a DNS server. */
    @FunctionalInterface
    public interface HostResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowPrivateAddresses;
    private final HostResolver resolver;

    public EndpointPolicy(boolean allowPrivateAddresses) {
        this(allowPrivateAddresses, InetAddress::getAllByName);
    }

    public EndpointPolicy(boolean allowPrivateAddresses, HostResolver resolver) {
        this.allowPrivateAddresses = allowPrivateAddresses;
        this.resolver = resolver;
    }

    /** The endpoint as a URI, or {@link RejectedEndpoint} saying why not (without echoing it). */
    public URI check(String url) {
        URI uri = parse(url);
        if (!allowPrivateAddresses) {
            try {
                addressesFor(uri.getHost());
            } catch (RefusedAddress e) {
                throw new RejectedEndpoint("The endpoint's host must resolve to public addresses only, not to"
                        + " loopback, private, link-local, multicast or unspecified ones.");
            } catch (UnknownHostException e) {
                throw new RejectedEndpoint("The endpoint's host does not resolve.");
            }
        }
        return uri;
    }

    /**
     * The addresses a request to {@code host} may connect to: all it resolves to, once, and only if every one is
     * allowed. The webhook client connects to these and no others, so what was checked is what is connected to.
     *
     * @throws RefusedAddress       when one is loopback, private, link-local... and those are not allowed
     * @throws UnknownHostException when the host does not resolve
     */
    public List<InetAddress> addressesFor(String host) throws UnknownHostException {
        InetAddress[] addresses = resolver.resolve(host);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException("no addresses");
        }
        if (!allowPrivateAddresses && !Arrays.stream(addresses).allMatch(EndpointPolicy::isPublic)) {
            throw new RefusedAddress();
        }
        return List.of(addresses);
    }

    /** The endpoint as a URI if it is well formed (without resolving its host). */
    public URI parse(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_LENGTH) {
            throw new RejectedEndpoint("The endpoint must be a URL of at most " + MAX_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RejectedEndpoint("The endpoint is not a valid URL.");
        }
        if (!uri.isAbsolute() || uri.isOpaque() || !SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            throw new RejectedEndpoint("The endpoint must be an https (or http) URL.");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RejectedEndpoint("The endpoint must not carry credentials: requests are signed instead.");
        }
        if (uri.getRawFragment() != null) {
            throw new RejectedEndpoint("The endpoint must not have a fragment.");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new RejectedEndpoint("The endpoint must name a host.");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            // URI takes any number of digits as a port; no request could reach such an endpoint
            throw new RejectedEndpoint("The endpoint's port must be between 1 and 65535.");
        }
        return uri;
    }

    /** Whether {@code address} is on the public internet, as far as one address can tell. */
    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isMulticastAddress() || address.isAnyLocalAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int a = bytes[0] & 0xff;
            int b = bytes[1] & 0xff;
            return a != 0                                   // 0.0.0.0/8, "this network"
                    && !(a == 100 && (b & 0xc0) == 64)      // 100.64.0.0/10, carrier-grade NAT
                    && !(a == 192 && b == 0 && (bytes[2] & 0xff) == 0)  // 192.0.0.0/24, protocol assignments
                    && !(a == 198 && (b & 0xfe) == 18)      // 198.18.0.0/15, benchmarking
                    && a < 240;                             // 240.0.0.0/4 reserved, and broadcast
        }
        if (address instanceof Inet6Address v6) {
            if ((bytes[0] & 0xfe) == 0xfc) {                // fc00::/7, unique local
                return false;
            }
            if (hasPrefix(bytes, LOCAL_USE_NAT64)) {        // 64:ff9b:1::/48, NAT64 for local use only (RFC 8215)
                return false;
            }
            return embeddedIPv4(v6).stream().allMatch(EndpointPolicy::isPublic);
        }
        return true;
    }

    /**
     * The IPv4 addresses an IPv6 address stands for, when a router or relay would carry the request on to them: an
     * endpoint on {@code 2002:a00:1::} (6to4) ends up on 10.0.0.1 just as {@code http://10.0.0.1} would. Guava reads
     * the IPv4-compatible ({@code ::a.b.c.d}), 6to4 ({@code 2002:AABB:CCDD::/48}) and Teredo ({@code 2001:0::/32}: its
     * server in bits 32-63 and its client, inverted, in the last 32) forms; the IPv4-mapped ({@code ::ffff:a.b.c.d},
     * which Java turns into an {@link Inet4Address} when it parses one, but not every source of addresses does) and
     * the well-known NAT64 ({@code 64:ff9b::a.b.c.d}, RFC 6052) forms are read here, Guava having no helper for them.
     */
    static List<Inet4Address> embeddedIPv4(Inet6Address address) {
        byte[] bytes = address.getAddress();
        if (hasPrefix(bytes, IPV4_MAPPED) || hasPrefix(bytes, WELL_KNOWN_NAT64)) {
            return List.of(lastFourBytes(bytes));
        }
        if (InetAddresses.isCompatIPv4Address(address)) {
            return List.of(InetAddresses.getCompatIPv4Address(address));
        }
        if (InetAddresses.is6to4Address(address)) {
            return List.of(InetAddresses.get6to4IPv4Address(address));
        }
        if (InetAddresses.isTeredoAddress(address)) {
            InetAddresses.TeredoInfo teredo = InetAddresses.getTeredoInfo(address);
            return List.of(teredo.getServer(), teredo.getClient());
        }
        return List.of();
    }

    private static final byte[] IPV4_MAPPED = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
    private static final byte[] WELL_KNOWN_NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] LOCAL_USE_NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 1};

    private static boolean hasPrefix(byte[] bytes, byte[] prefix) {
        return Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static Inet4Address lastFourBytes(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** A host that resolves to an address Pathways will not connect to; says nothing about which. */
    public static class RefusedAddress extends UnknownHostException {
        public RefusedAddress() {
            super("the host resolves to a non-public address");
        }
    }

    /** An endpoint Pathways will not call. */
    public static class RejectedEndpoint extends RuntimeException {
        public RejectedEndpoint(String reason) {
            super(reason);
        }
    }
}
