package org.pathways.referral;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.pathways.referral.rerouting.RerouteCheckpoint;

/**
 * Between a re-route's two writes, kills the request once when armed, as a process killed there would stop it: no
 * compensation runs, nothing after the successor's write happens.
 */
public class CrashingRerouteCheckpoint implements RerouteCheckpoint {

    /** What the simulated crash throws; nothing in the service catches it. */
    public static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash() {
            super("simulated crash between the re-route's writes");
        }
    }

    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicReference<String> successorLeftBehind = new AtomicReference<>();

    public void crashNextReroute() {
        armed.set(true);
    }

    /** The successor the last crash left written. */
    public String successorLeftBehind() {
        return successorLeftBehind.get();
    }

    @Override
    public void successorWritten(String originalId, String nextId) {
        if (armed.compareAndSet(true, false)) {
            successorLeftBehind.set(nextId);
            throw new SimulatedCrash();
        }
    }
}
