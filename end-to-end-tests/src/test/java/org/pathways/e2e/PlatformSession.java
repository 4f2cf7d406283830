package org.pathways.e2e;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Every end-to-end test class shares one running platform; it is closed once, when the test run ends, before the
 * JVM's broker and store go away, so that the services' consumers leave cleanly.
 */
public class PlatformSession implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        RunningPlatform.stop();
    }
}
