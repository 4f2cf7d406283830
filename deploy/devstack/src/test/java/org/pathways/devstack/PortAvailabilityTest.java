package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pathways.devstack.PortAvailability.PortClaim;

class PortAvailabilityTest {

    @Test
    void reportsAPortSomethingListensOnWithTheComponentThatNeedsIt() throws Exception {
        // Loopback only, as a stray local server typically binds: the check must still see it.
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = squatter.getLocalPort();

            List<PortClaim> taken = PortAvailability.taken(List.of(new PortClaim(port, "referral-service")));

            assertThat(taken).containsExactly(new PortClaim(port, "referral-service"));
        }
    }

    @Test
    void doesNotReportAFreePort() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }

        assertThat(PortAvailability.taken(List.of(new PortClaim(port, "gateway")))).isEmpty();
    }

    @Test
    void reportsOnlyTheTakenOnesAmongSeveral() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0)) {
            int takenPort = squatter.getLocalPort();
            int freePort;
            try (ServerSocket probe = new ServerSocket(0)) {
                freePort = probe.getLocalPort();
            }

            List<PortClaim> taken = PortAvailability.taken(
                    List.of(new PortClaim(freePort, "Kafka broker"), new PortClaim(takenPort, "Kafka controller")));

            assertThat(taken).extracting(PortClaim::component).containsExactly("Kafka controller");
        }
    }
}
