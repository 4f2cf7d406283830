package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The base of every browser test: a real headless Chromium (Debian's, driven through its own chromedriver, so that
 * Selenium Manager downloads nothing) against the {@link BrowserPlatform}, with the steps a person takes (sign in at
 * the issuer, open a page, switch language, sign out) and the checks every page gets: a screenshot under
 * {@code target/screenshots/} and axe-core finding no serious or critical accessibility violation. Skipped, not
 * failed, where the browser or its driver is not installed.
 */
public abstract class BrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("pathways.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("pathways.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final Duration PATIENCE = Duration.ofSeconds(20);

    protected static BrowserPlatform platform;
    /** The browser the steps act in now; a test with two people at once switches between two. */
    protected static ChromeDriver browser;
    private static final List<ChromeDriver> BROWSERS = new java.util.ArrayList<>();
    private static final List<Path> PROFILES = new java.util.ArrayList<>();
    private static String axeSource;

    @BeforeAll
    static void startTheBrowserAndThePlatform() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + ": browser tests skipped");
        assumeTrue(Files.isExecutable(CHROMEDRIVER), "no chromedriver at " + CHROMEDRIVER + ": browser tests skipped");
        platform = BrowserPlatform.get();
        Files.createDirectories(SCREENSHOTS);
        browser = newBrowser();
    }

    /** Another browser with its own profile (its own cookies): a second person at another desk. */
    protected static ChromeDriver newBrowser() throws IOException {
        Path profile = Files.createTempDirectory("pathways-chromium");
        PROFILES.add(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--lang=en-GB", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 900));
        BROWSERS.add(driver);
        return driver;
    }

    @AfterAll
    static void closeTheBrowsers() throws IOException {
        BROWSERS.forEach(ChromeDriver::quit);
        BROWSERS.clear();
        browser = null;
        for (Path profile : PROFILES) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        PROFILES.clear();
    }

    /** Opens a page of the web app, by its path at the gateway's address. */
    protected static void open(String path) {
        browser.get(platform.address + path);
    }

    /** Signs in on the issuer's form, starting from the web app's start page, and comes back signed in. */
    protected static void signIn(String username) {
        browser.manage().deleteAllCookies();
        open("/");
        click(By.linkText(text("Sign in", "Mewngofnodi")));
        waitFor(By.name("username")).sendKeys(username);
        browser.findElement(By.name("password")).sendKeys(BrowserPlatform.PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.urlContains(platform.address.toString()));
        waitFor(By.cssSelector(".account"));
    }

    /** Signs out of the web app, which signs out at the issuer too and comes back to the start page. */
    protected static void signOut() {
        click(By.cssSelector(".account button[type=submit]"));
        new WebDriverWait(browser, PATIENCE).until(driver -> driver.getCurrentUrl().startsWith(platform.address + "/")
                && !driver.findElements(By.linkText(text("Sign in", "Mewngofnodi"))).isEmpty());
    }

    /** The page's language, as its {@code <html lang>} says. */
    protected static String language() {
        return browser.findElement(By.tagName("html")).getAttribute("lang");
    }

    private static String text(String english, String welsh) {
        return browser.getCurrentUrl().contains(platform.address.toString()) && "cy".equals(safeLanguage())
                ? welsh : english;
    }

    /** The page's language, or "" while there is no page (or it was replaced between finding and reading it). */
    private static String safeLanguage() {
        try {
            List<WebElement> html = browser.findElements(By.tagName("html"));
            return html.isEmpty() ? "" : html.get(0).getAttribute("lang");
        } catch (StaleElementReferenceException replaced) {
            return "";
        }
    }

    /** Switches the page to English ({@code en}) or Welsh ({@code cy}) with the switch in its header. */
    protected static void switchLanguage(String language) {
        click(By.cssSelector(".languages a[hreflang=" + language + "]"));
        new WebDriverWait(browser, PATIENCE).until(driver -> language.equals(safeLanguage()));
    }

    protected static WebElement waitFor(By locator) {
        return new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    /** Clicks a link or a submit button and waits until the browser is on the next page. */
    protected static void follow(By locator) {
        WebElement page = browser.findElement(By.tagName("html"));
        click(locator);
        new WebDriverWait(browser, PATIENCE).until(driver -> isGone(page));
        waitFor(By.tagName("h1"));
    }

    /**
     * Whether the page {@code page} was the root of is gone. Chromium sometimes answers a look at the old page's
     * root, mid-navigation, with "Node with given id does not belong to the document" instead of a stale element:
     * gone all the same.
     */
    protected static boolean isGone(WebElement page) {
        try {
            page.isEnabled();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException gone) {
            return true;
        } catch (org.openqa.selenium.WebDriverException maybeGone) {
            if (String.valueOf(maybeGone.getMessage()).contains("does not belong to the document")) {
                return true;
            }
            throw maybeGone;
        }
    }

    /** On a failed test: a screenshot of where the browser was, to see what the person would have seen. */
    @RegisterExtension
    static final TestWatcher ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (int i = 0; i < BROWSERS.size(); i++) {
                try {
                    Path shot = BROWSERS.get(i).getScreenshotAs(OutputType.FILE).toPath();
                    Files.copy(shot, SCREENSHOTS.resolve("FAILED-" + context.getRequiredTestMethod().getName()
                            + "-" + i + ".png"), StandardCopyOption.REPLACE_EXISTING);
                    Files.writeString(SCREENSHOTS.resolve("FAILED-" + context.getRequiredTestMethod().getName()
                            + "-" + i + ".txt"), BROWSERS.get(i).getCurrentUrl() + "\n"
                            + BROWSERS.get(i).findElement(By.tagName("body")).getText());
                } catch (IOException | RuntimeException ignored) {
                    // the failure itself is what matters
                }
            }
        }
    };

    protected static void click(By locator) {
        new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.elementToBeClickable(locator)).click();
    }

    protected static String heading() {
        return waitFor(By.tagName("h1")).getText();
    }

    /** A screenshot of the whole page as the browser shows it now. */
    protected static void screenshot(String name) {
        try {
            Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page's screenshot, then axe-core over it: no serious or critical violation of WCAG 2.x A/AA rules. */
    @SuppressWarnings("unchecked")
    protected static void checkPage(String name) {
        screenshot(name);
        JavascriptExecutor js = browser;
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe !== 'undefined'"))) {
            js.executeScript(axe());
        }
        Object result = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                  .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))
                  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
                """);
        List<Map<String, Object>> violations = (List<Map<String, Object>>) result;
        assertThat(violations)
                .as("accessibility of %s (%s):%n%s", name, browser.getCurrentUrl(), violations.stream()
                        .map(v -> v.get("impact") + " " + v.get("id") + ": " + v.get("help") + " at " + v.get("nodes"))
                        .collect(Collectors.joining("\n")))
                .isEmpty();
    }

    private static synchronized String axe() {
        if (axeSource == null) {
            try (InputStream in = BrowserTest.class.getResourceAsStream(
                    "/META-INF/resources/webjars/axe-core/" + axeVersion() + "/axe.min.js")) {
                assertThat(in).as("axe-core webjar on the test classpath").isNotNull();
                axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return axeSource;
    }

    private static String axeVersion() {
        try (InputStream in = BrowserTest.class.getResourceAsStream(
                "/META-INF/maven/org.webjars.npm/axe-core/pom.properties")) {
            var properties = new java.util.Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the axe-core webjar is not on the test classpath", e);
        }
    }

    /** Where the test can see it failed: the page's text (for assertion messages). */
    protected static String pageText() {
        return browser.findElement(By.tagName("body")).getText();
    }

}
