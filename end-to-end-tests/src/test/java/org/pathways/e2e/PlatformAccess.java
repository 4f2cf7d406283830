package org.pathways.e2e;

/**
 * The shared running platform, for end-to-end scenarios in other packages (such as {@code abuse}): where its
 * gateway listens. Starts the platform on first use, like every other end-to-end test.
 */
public final class PlatformAccess {

    private PlatformAccess() {
    }

    public static int gatewayPort() {
        return RunningPlatform.get().gatewayPort;
    }
}
