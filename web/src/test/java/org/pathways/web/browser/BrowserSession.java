package org.pathways.web.browser;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Every browser test class shares one platform; it is closed once, when the test run ends. */
public class BrowserSession implements LauncherSessionListener {

    private static final String RESTRICTED_HEADERS = "jdk.httpclient.allowRestrictedHeaders";

    /**
     * Before any test: the platform's gateway keeps the browser's {@code Host} when it passes a page on to the web app
     * (which builds its sign-in callback from it), and its JDK HTTP client may send {@code Host} only if this JVM
     * allowed it before its first HTTP client was made: the JDK reads the setting once. The gateway sets it as it
     * starts, which is too late when a test without the platform (one with the web app's API client) made an HTTP
     * client first; then every sign-in came back to the web app's own port, which the issuer refused.
     */
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        String allowed = System.getProperty(RESTRICTED_HEADERS);
        if (allowed == null || allowed.isBlank()) {
            System.setProperty(RESTRICTED_HEADERS, "host");
        } else if (!java.util.Arrays.asList(allowed.toLowerCase(java.util.Locale.ROOT).split("\\s*,\\s*"))
                .contains("host")) {
            System.setProperty(RESTRICTED_HEADERS, allowed + ",host");
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        BrowserPlatform.stop();
    }
}
