package org.pathways.notification.subscription;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Which webhook endpoints Pathways will call. A webhook makes our servers send requests to an address someone typed
 * in, so without a check an agency admin could aim them at our own network (server-side request forgery): the cloud
 * metadata service, an admin port on loopback, a database on a private subnet. An endpoint must be an absolute http or
 * https URL without credentials, and unless private addresses are allowed (devstack, tests), every address its host
 * resolves to must be public. It is checked at registration and again before every attempt, because DNS answers can
 * change in between.
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
        if (!allowPrivateAddresses) {
            InetAddress[] addresses;
            try {
                addresses = resolver.resolve(host);
            } catch (UnknownHostException e) {
                throw new RejectedEndpoint("The endpoint's host does not resolve.");
            }
            if (addresses.length == 0 || !Arrays.stream(addresses).allMatch(EndpointPolicy::isPublic)) {
                throw new RejectedEndpoint("The endpoint's host must resolve to public addresses only, not to"
                        + " loopback, private, link-local, multicast or unspecified ones.");
            }
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

    /** An endpoint Pathways will not call. */
    public static class RejectedEndpoint extends RuntimeException {
        public RejectedEndpoint(String reason) {
            super(reason);
        }
    }
}
