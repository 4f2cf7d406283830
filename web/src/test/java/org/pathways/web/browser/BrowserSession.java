package org.pathways.web.browser;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Every browser test class shares one platform; it is closed once, when the test run ends. */
public class BrowserSession implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        BrowserPlatform.stop();
    }
}
