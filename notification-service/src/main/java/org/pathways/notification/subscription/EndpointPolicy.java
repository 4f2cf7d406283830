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

/**
 * Which webhook endpoints Pathways will call. A webhook makes our servers send requests to an address someone typed
 * in, so without a check an agency admin could aim them at our own network (server-side request forgery): the cloud
 * metadata service, an admin port on loopback, a database on a private subnet. An endpoint must be an absolute http or
 * https URL without credentials, and unless private addresses are allowed (devstack, tests), every address its host
 * resolves to must be public. It is checked at registration, and on every attempt on the addresses actually connected
 * to ({@link #addressesFor}, the webhook client's only DNS lookup), so that a host whose DNS answer changes after the
 * check (DNS rebinding) cannot lead a request inside.
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
            if (v6.isIPv4CompatibleAddress() || isNat64(bytes)) {   // ::a.b.c.d and 64:ff9b::a.b.c.d
                try {
                    return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16)));
                } catch (UnknownHostException impossible) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isNat64(byte[] bytes) {
        byte[] prefix = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
        return Arrays.equals(bytes, 0, 12, prefix, 0, 12);
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
