package org.pathways.devstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * Checks, before anything starts, that every port the platform will listen on is free. Finding out afterwards
 * means a half-started platform and an error buried in one service's log.
 */
final class PortAvailability {

    /** A port one component of the platform needs. */
    record PortClaim(int port, String component) {
    }

    private PortAvailability() {
    }

    /** The claims whose port something else already listens on, in the order given. */
    static List<PortClaim> taken(List<PortClaim> claims) {
        return claims.stream().filter(claim -> !isFree(claim.port())).toList();
    }

    /**
     * Binds the wildcard address because the services do: a listener on any local address, loopback included,
     * makes that fail. SO_REUSEADDR is set so that sockets of a just-stopped run lingering in TIME_WAIT do not
     * count as taken, as they would not stop the real servers either.
     */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
