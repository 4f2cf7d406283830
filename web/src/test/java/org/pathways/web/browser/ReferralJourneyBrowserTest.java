package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pathways.testing.TokenClient;
import org.pathways.testing.HttpApi;

/**
 * The closed loop in two real browsers. The college's worker has the incoming referrals open; at another desk the
 * council's worker signs in, registers a learner, records their consent to share with the college, finds the
 * college's course and refers them, with the consent check shown before sending. The referral appears on the
 * college's list without a reload; the college worker receives, accepts, starts and completes it with the buttons
 * the API allows; the learner's page then shows the milestones the referral made. A worker of a third agency gets
 * the same "page not found" for that learner and that referral as for ones that do not exist. Every page is
 * screenshotted and checked with axe-core, several in Welsh too.
 */
class ReferralJourneyBrowserTest extends BrowserTest {

    private static final String COLLEGE_NAME = "Riverside College";
    private static String courseId;

    /** The college publishes a course through the API, as its admin would (the catalogue's pages are not here). */
    @BeforeAll
    static void theCollegePublishesACourse() throws Exception {
        String collegeAdmin = new TokenClient(platform.issuer).signIn("pathways-web",
                platform.address + "/login/callback", "college-admin", BrowserPlatform.PASSWORD).accessToken();
        HttpApi api = new HttpApi(platform.address.getPort());
        // The college is in the catalogue by name: the consent form offers it by name, and pages name it so.
        HttpApi.Response agency = api.post("/api/agencies", collegeAdmin, Map.of("name", COLLEGE_NAME,
                "sector", "PUBLIC", "kind", "COLLEGE", "localities", java.util.List.of("LS6"),
                "contacts", java.util.List.of(), "acceptsDirectReferrals", true));
        assertThat(agency.status()).as(agency.body().toString()).isIn(201, 409);
        // approved by the platform administrator, as in a real partnership: until then its courses are not listed
        String platformAdmin = new TokenClient(platform.issuer).signIn("pathways-web",
                platform.address + "/login/callback", "platform-admin", BrowserPlatform.PASSWORD).accessToken();
        HttpApi.Response registered = api.get("/api/agencies/agency-college", platformAdmin);
        if (registered.body().path("kind").isNull()) {
            HttpApi.Response approved = api.send(api.request("/api/agencies/agency-college/kind", platformAdmin)
                    .header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"kind\":\"COLLEGE\",\"sector\":\"PUBLIC\","
                            + "\"version\":" + registered.body().path("version").asLong() + "}")));
            assertThat(approved.status()).as(approved.body().toString()).isEqualTo(200);
        }
        HttpApi.Response draft = api.post("/api/opportunities", collegeAdmin, Map.of(
                "title", "Entry 2 English for speakers of other languages",
                "description", "Small-group ESOL for adults: speaking, listening, reading and writing.",
                "kind", "FORMAL_LEARNING", "level", "E2", "capacity", 12));
        assertThat(draft.status()).as(draft.body().toString()).isEqualTo(201);
        courseId = draft.text("id");
        HttpApi.Response published = api.post("/api/opportunities/" + courseId + "/publish", collegeAdmin, null);
        assertThat(published.status()).as(published.body().toString()).isEqualTo(200);
    }

    @Test
    void aCouncilWorkerRefersALearnerAndTheCollegeClosesTheLoopWithoutReloading() throws Exception {
        ChromeDriver council = browser;
        ChromeDriver college = newBrowser();

        // The college's worker is watching the incoming referrals.
        browser = college;
        signIn("college-worker");
        open("/referrals/incoming");
        assertThat(heading()).isEqualTo("Incoming referrals");
        int before = browser.findElements(By.cssSelector("#referral-rows tbody tr")).size();
        checkPage("incoming-empty");

        // At the council: register a learner.
        browser = council;
        signIn("council-worker");
        open("/learners");
        checkPage("learners-find");
        follow(By.linkText("Register a learner"));
        waitFor(By.id("givenName")).sendKeys("Amina");
        browser.findElement(By.id("familyName")).sendKeys("Browser-Yusuf");
        setDate("dateOfBirth", "1990-04-12");
        browser.findElement(By.id("localityCode")).sendKeys("LS6");
        browser.findElement(By.id("barrier-CHILDCARE")).click();
        browser.findElement(By.id("barrier-MONEY")).click();   // the catalogue calls it COST: the matches still come
        browser.findElement(By.id("goals")).sendKeys("english, speaking");
        checkPage("register");
        follow(By.cssSelector("form.stacked button[type=submit]"));
        assertThat(heading()).as(pageText()).isEqualTo("Amina Browser-Yusuf");
        assertThat(pageText()).contains("The learner is registered", "12 April 1990", "LS6", "Childcare");
        String learnerPage = browser.getCurrentUrl().replaceFirst("\\?.*$", "");
        String learnerId = learnerPage.substring(learnerPage.lastIndexOf('/') + 1);

        // The worker finds them again by name (accents and case aside), without JavaScript's help and with it.
        open("/learners?q=" + java.net.URLEncoder.encode("amina browser", java.nio.charset.StandardCharsets.UTF_8));
        assertThat(waitFor(By.cssSelector("ul.results")).getText()).contains("Amina Browser-Yusuf", "12 April 1990");
        assertThat(browser.findElement(By.linkText("Amina Browser-Yusuf")).getAttribute("href")).endsWith(learnerPage
                .substring(learnerPage.indexOf("/learners/")));
        checkPage("learners-found");
        open("/learners");
        waitFor(By.id("q")).sendKeys("Browser-Yus");
        new WebDriverWait(browser, PATIENCE).until(driver -> driver.findElements(
                By.linkText("Amina Browser-Yusuf")).size() == 1);
        assertThat(browser.getCurrentUrl()).as("live results as the worker types, no page load").endsWith("/learners");
        // Said in the live region that was on the page before the results came (one swapped in with them is seldom
        // read out by a screen reader).
        WebElement said = browser.findElement(By.id("results-status"));
        new WebDriverWait(browser, PATIENCE).until(driver -> said.getAttribute("textContent").contains("1"));
        assertThat(said.getAttribute("role")).isEqualTo("status");

        // Registering the same person again warns of the duplicate and offers the way forward.
        open("/learners/new");
        waitFor(By.id("givenName")).sendKeys("Amina");
        browser.findElement(By.id("familyName")).sendKeys("Browser-Yusuf");
        setDate("dateOfBirth", "1990-04-12");
        browser.findElement(By.id("localityCode")).sendKeys("LS6");
        follow(By.cssSelector("form.stacked button[type=submit]"));
        assertThat(waitFor(By.id("duplicates")).getText())
                .contains("This person may already be registered", "date of birth and name", "Open this record");
        checkPage("register-duplicate");
        follow(By.linkText("Open this record"));
        assertThat(heading()).isEqualTo("Amina Browser-Yusuf");

        // Record their consent to share with the college.
        click(By.xpath("//summary[normalize-space()='Record a consent']"));
        // Sent without choosing the agency: the page says so in its own words (not the API's field names).
        waitFor(By.id("agencyId"));
        follow(By.cssSelector("form[action$='/consents'] button[type=submit]"));
        assertThat(waitFor(By.cssSelector(".notice.error")).getText())
                .contains("Choose the agency, or the kind of agency, the consent is for.").doesNotContain("agencyId");
        click(By.xpath("//summary[normalize-space()='Record a consent']"));
        new Select(waitFor(By.id("agencyId"))).selectByVisibleText(COLLEGE_NAME);
        new Select(browser.findElement(By.id("purpose"))).selectByValue("REFERRAL_SHARING");
        new Select(browser.findElement(By.id("method"))).selectByValue("VERBAL");
        follow(By.cssSelector("form[action$='/consents'] button[type=submit]"));
        assertThat(waitFor(By.cssSelector(".notice.success")).getText()).isEqualTo("Consent recorded.");
        assertThat(pageText()).contains(COLLEGE_NAME, "Share a referral summary", "In force")
                .as("the consent names the college, not its identifier").doesNotContain("agency-college");
        checkPage("learner");
        // On a phone (390 px wide) the learner's page does not scroll sideways, in English or in Welsh.
        org.openqa.selenium.Dimension desk = browser.manage().window().getSize();
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        for (String language : java.util.List.of("en", "cy")) {
            open(learnerPage.replaceFirst("^https?://[^/]+", "") + "?lang=" + language);
            waitFor(By.tagName("h1"));
            assertThat((Long) browser.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"))
                    .as("sideways scroll at 390 px, " + language).isLessThanOrEqualTo(0L);
        }
        browser.manage().window().setSize(desk);
        open(learnerPage.replaceFirst("^https?://[^/]+", "") + "?lang=en");
        switchLanguage("cy");
        assertThat(pageText()).contains("Caniatâd", "Mewn grym", "12 Ebrill 1990");
        checkPage("learner-cy");
        switchLanguage("en");

        // What the catalogue suggests for them, or left out and why: in words, never reason codes.
        open("/learners/" + learnerId + "/matches");
        assertThat(pageText()).contains("Entry 2 English for speakers of other languages")
                .doesNotContain("code=", "TOO_FAR", "BARRIER_", "detail=");
        checkPage("matches");
        open(learnerPage.replaceFirst("^https?://[^/]+", ""));

        // Find the course, see the consent check, refer.
        follow(By.linkText("Search the catalogue"));
        waitFor(By.id("q")).sendKeys("ESOL");
        follow(By.cssSelector("form[role=search] button[type=submit]"));
        waitFor(By.cssSelector(".cards li"));
        checkPage("opportunities");
        follow(By.cssSelector(".cards a.button"));
        assertThat(heading()).isEqualTo("Refer Amina to Entry 2 English for speakers of other languages");
        assertThat(waitFor(By.id("consent-check")).getText())
                .contains("Amina has agreed to share their details with Riverside College");
        waitFor(By.id("need")).sendKeys("Wants to improve spoken English to help her children with school.");
        browser.findElement(By.id("urgency-SOON")).click();
        checkPage("refer");
        // The referral-service learns of the consent and the course from events a moment later: until then it
        // refuses, and the page says why and keeps what was typed (and the idempotency key) for another go.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            follow(By.cssSelector("form.stacked button[type=submit]"));
            if (browser.findElements(By.id("referral-status")).isEmpty()) {
                assertThat(System.nanoTime()).as("referral still refused: %s", pageText()).isLessThan(deadline);
                Thread.sleep(1000);
            }
        } while (browser.findElements(By.id("referral-status")).isEmpty());
        assertThat(pageText()).contains("Referral sent.", "Sent", COLLEGE_NAME, "Soon",
                "Entry 2 English for speakers of other languages");
        String referralPage = browser.getCurrentUrl();
        String referralId = referralPage.substring(referralPage.lastIndexOf('/') + 1);
        checkPage("referral-sent");

        // At the college: it arrives without a reload.
        browser = college;
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver ->
                driver.findElements(By.cssSelector("#referral-rows tbody tr")).size() > before);
        // Named: the course by its title; the council, not in the catalogue here, by its identifier.
        assertThat(browser.findElement(By.id("referral-rows")).getText()).contains("agency-council",
                "Entry 2 English for speakers of other languages", "Sent", "Soon");
        checkPage("incoming-arrived");
        follow(By.cssSelector("#referral-rows a[href$='" + referralId + "']"));
        assertThat(pageText()).contains("Amina Browser-Yusuf", "Wants to improve spoken English");
        checkPage("referral-received-side");
        for (String[] step : new String[][] {
                {"Mark as received", "Received"}, {"Accept", "Accepted"}, {"Mark as started", "In progress"},
                {"Mark as completed", "Completed"}}) {
            follow(By.xpath("//button[normalize-space()='" + step[0] + "']"));
            new WebDriverWait(browser, PATIENCE).until(driver ->
                    step[1].equals(driver.findElement(By.id("referral-status")).getText()));
        }
        assertThat(pageText()).contains("What happened", "Completed", "Next steps");
        checkPage("referral-completed");
        switchLanguage("cy");
        assertThat(waitFor(By.id("referral-status")).getText()).isEqualTo("Wedi'i gwblhau");
        checkPage("referral-completed-cy");
        switchLanguage("en");

        // A handoff note from the college, seen by the council.
        waitFor(By.id("text")).sendKeys("Amina starts on Monday at 10:00, room B12.");
        follow(By.xpath("//button[normalize-space()='Add note']"));
        assertThat(waitFor(By.cssSelector(".notes")).getText()).contains("room B12");

        // Back at the council: the referral's outcome and the milestones it made on the learner's timeline.
        browser = council;
        open("/referrals/outgoing");
        assertThat(waitFor(By.id("referral-rows")).getText()).contains("Completed", COLLEGE_NAME);
        checkPage("outgoing");
        open("/learners/" + learnerId);
        new WebDriverWait(browser, Duration.ofSeconds(30)).pollingEvery(Duration.ofSeconds(1)).until(driver -> {
            driver.navigate().refresh();
            return driver.findElements(By.cssSelector("ol.timeline")).stream()
                    .anyMatch(timeline -> timeline.getText().contains("Completed"));
        });
        assertThat(browser.findElement(By.cssSelector("ol.timeline")).getText()).contains("Enrolled", "Completed");
        // The learner's page lists the council's referral of her (the referral API filtered by learner).
        WebElement referralRow = browser.findElement(By.xpath(
                "//a[contains(@href, '/referrals/" + referralId + "')]/ancestor::tr"));
        assertThat(referralRow.getText()).contains("Sent to Riverside College", "Completed");
        checkPage("learner-with-referral");
        open("/referrals/" + referralId);
        assertThat(pageText()).contains("room B12");
        open("/notifications");
        checkPage("notifications");

        // Another agency's worker: the same page-not-found as for records that do not exist.
        signOut();
        signIn("jobcentre-worker");
        open("/learners/no-such-learner");
        String notFound = pageText();
        assertThat(heading()).isEqualTo("Page not found");
        checkPage("not-found");
        open("/learners/" + learnerId);
        assertThat(pageText()).isEqualTo(notFound);
        open("/referrals/" + referralId);
        assertThat(pageText()).isEqualTo(notFound);
        open("/referrals/no-such-referral");
        assertThat(pageText()).isEqualTo(notFound);
        // Nor does searching for them by name find them: the offer is to register someone new.
        open("/learners?q=" + java.net.URLEncoder.encode("Amina Browser-Yusuf", java.nio.charset.StandardCharsets.UTF_8));
        assertThat(waitFor(By.id("no-results")).getText()).contains("No learner your agency may see matches",
                "Register a learner");
        assertThat(browser.findElements(By.cssSelector("ul.results"))).isEmpty();
        checkPage("learners-none");
        switchLanguage("cy");
        assertThat(waitFor(By.id("no-results")).getText()).contains("Cofrestru dysgwr");
        checkPage("learners-none-cy");
        switchLanguage("en");
    }

    /** Types a date into a date input the way the browser's own control accepts it in every locale. */
    private static void setDate(String id, String isoDate) {
        browser.executeScript("document.getElementById(arguments[0]).value = arguments[1]", id, isoDate);
    }

    @Test
    void aFormTheApiRefusesSaysWhatIsWrongWithEachFieldInThePagesLanguageLinkedToTheField() {
        signIn("council-worker");
        open("/learners/new");
        switchLanguage("cy");
        waitFor(By.id("givenName")).sendKeys("Amina");
        follow(By.cssSelector("form.stacked button[type=submit]"));
        WebElement problem = waitFor(By.id("problem"));
        assertThat(problem.getText()).contains("Mae problem", "Gwiriwch y meysydd isod.")
                .as("no validator English").doesNotContain("must not", "familyName");
        WebElement familyName = problem.findElement(By.cssSelector("a[href='#familyName']"));
        assertThat(familyName.getText()).isEqualTo("Cyfenw: ni ellir gadael hwn yn wag.");
        assertThat(browser.findElement(By.id("givenName")).getAttribute("value")).as("kept").isEqualTo("Amina");
        checkPage("register-refused-cy");
        familyName.click();
        assertThat(browser.switchTo().activeElement().getAttribute("id")).as("the link goes to the field")
                .isEqualTo("familyName");

        // A search the API refuses (more than 400 characters) is said in the page's language too, not the API's.
        open("/learners?q=" + "amina".repeat(81));
        assertThat(waitFor(By.cssSelector("#learner-results .notice.error")).getText())
                .isEqualTo("Gwiriwch y meysydd isod. Y geiriau: mae hwn yn rhy hir neu'n rhy fyr.");
        switchLanguage("en");
    }
}
