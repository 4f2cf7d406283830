package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import tools.jackson.databind.JsonNode;

/**
 * The referral's forms as a worker uses them in a real browser: the receiving college records that a referral did not
 * work out, with the one reason the API takes for where it had got to (it did not start, or they left early); a
 * referral the API refuses comes back with the worker's choices kept, not the form's defaults; the catalogue search
 * on the way there takes the words as typed ("C++", "{x}") and says beside the form when the catalogue refuses them.
 */
class ReferralFormsBrowserTest extends BrowserTest {

    private static PlatformApi api;
    /** A learner has one open referral to an opportunity at a time: each test's referrals go to courses of their own. */
    private static final List<String> COURSES = new java.util.ArrayList<>();
    private static String learnerId;

    @BeforeAll
    static void aCouncilLearnerWhoAgreedToShareWithTheCollegeAndACollegeCourse() {
        api = new PlatformApi(platform);
        for (String title : List.of("Woodwork for beginners (referral forms test)",
                "Joinery evening class (referral forms test)", "C++ programming for beginners (referral forms test)",
                "Upholstery taster (referral forms test)")) {
            Map<String, Object> course = new LinkedHashMap<>();
            course.put("title", title);
            course.put("kind", "FORMAL_LEARNING");
            course.put("level", "E3");
            course.put("capacity", 12);
            course.put("venues", List.of(Map.of("name", "Main site", "locality", "LS6")));
            String id = api.post("college-admin", "/api/opportunities", course).get("id").asString();
            api.post("college-admin", "/api/opportunities/" + id + "/publish", null);
            COURSES.add(id);
        }
        Map<String, Object> learner = new LinkedHashMap<>();
        learner.put("givenName", "Nia");
        learner.put("familyName", "Forms-Browser");
        learner.put("dateOfBirth", "1988-09-03");
        learner.put("localityCode", "LS6");
        learner.put("preferredLanguage", "en");
        learnerId = api.post("council-worker", "/api/learners", learner).get("id").asString();
        api.post("council-worker", "/api/learners/" + learnerId + "/consents",
                Map.of("agencyId", "agency-college", "purpose", "REFERRAL_SHARING", "method", "VERBAL"));
    }

    /** A council referral of the learner to {@code course}, taken by the college through {@code steps}. */
    private static String referral(String course, String... steps) {
        String id = api.postOnceAccepted("council-worker", "/api/referrals", Map.of("learnerId", learnerId,
                "opportunityId", course, "need", "Wants a practical course.", "urgency", "ROUTINE"))
                .get("id").asString();
        for (String step : steps) {
            api.transition("college-worker", id, step);
        }
        return id;
    }

    @Test
    void theCollegeRecordsThatAReferralDidNotWorkOutWithTheReasonThatFitsWhereItGotTo() {
        String accepted = referral(COURSES.get(0), "RECEIVE", "ACCEPT");
        String started = referral(COURSES.get(1), "RECEIVE", "ACCEPT", "START");
        signIn("college-worker");

        // Accepted, never started: the one reason offered is that they did not start.
        open("/referrals/" + accepted);
        assertThat(options(waitFor(By.id("fail-reason")))).containsExactly("Did not start");
        assertThat(browser.findElement(By.cssSelector("label[for=fail-reason]")).getText())
                .isEqualTo("Why did it not work out?");
        checkPage("referral-did-not-finish");
        browser.findElement(By.id("fail-reason-text")).sendKeys("Did not come on the first day.");
        didNotFinish();
        assertThat(waitFor(By.cssSelector(".notice.success")).getText()).isEqualTo("Marked as not finished.");
        assertThat(browser.findElement(By.id("referral-status")).getText()).isEqualTo("Did not finish");
        assertThat(browser.findElement(By.cssSelector("ol.timeline")).getText())
                .contains("Did not start", "(Did not come on the first day.)");
        assertThat(lastChange(accepted).path("reason").asString()).isEqualTo("DID_NOT_START");

        // Started: they left early; in Welsh too.
        open("/referrals/" + started);
        switchLanguage("cy");
        assertThat(options(waitFor(By.id("fail-reason")))).containsExactly("Gadawodd yn gynnar");
        assertThat(browser.findElement(By.cssSelector("label[for=fail-reason]")).getText())
                .isEqualTo("Pam na weithiodd hyn?");
        checkPage("referral-did-not-finish-cy");
        switchLanguage("en");
        assertThat(options(waitFor(By.id("fail-reason")))).containsExactly("Left early");
        didNotFinish();
        assertThat(waitFor(By.cssSelector(".notice.success")).getText()).isEqualTo("Marked as not finished.");
        assertThat(browser.findElement(By.cssSelector("ol.timeline")).getText()).contains("Left early");
        assertThat(lastChange(started).path("reason").asString()).isEqualTo("LEFT_EARLY");
    }

    @Test
    void aReferralTheApiRefusesComesBackWithTheWorkersChoicesNotTheDefaults() {
        signIn("council-worker");
        open("/learners/" + learnerId + "/refer?opportunity=" + COURSES.get(2));
        // Only spaces: the browser sends it (the field is not empty), the API refuses it.
        waitFor(By.id("need")).sendKeys("   ");
        browser.findElement(By.id("urgency-URGENT")).click();
        WebElement share = browser.findElement(By.id("shareSummary"));
        assertThat(share.isSelected()).as("a fresh form shares the summary").isTrue();
        share.click();
        follow(By.cssSelector("form.stacked button[type=submit]"));

        assertThat(waitFor(By.id("problem")).getText()).contains("There is a problem", "this cannot be left empty");
        assertThat(browser.findElement(By.id("shareSummary")).isSelected())
                .as("the summary the worker chose not to share stays unshared").isFalse();
        assertThat(browser.findElement(By.id("urgency-URGENT")).isSelected()).isTrue();
        assertThat(browser.findElement(By.id("urgency-ROUTINE")).isSelected()).isFalse();
        checkPage("refer-refused");

        // Sent like that once the need is given: nothing shared, as urgent as chosen. (Until the referral-service
        // has the consent's event it refuses, and the form comes back again: sent again then.)
        browser.findElement(By.id("need")).sendKeys("Wants to learn to program.");
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        do {
            follow(By.cssSelector("form.stacked button[type=submit]"));
            if (browser.findElements(By.id("referral-status")).isEmpty()) {
                assertThat(browser.findElement(By.id("shareSummary")).isSelected()).isFalse();
                assertThat(System.nanoTime()).as("referral still refused: %s", pageText()).isLessThan(deadline);
                sleep(1000);
            }
        } while (browser.findElements(By.id("referral-status")).isEmpty());
        assertThat(waitFor(By.id("referral-status")).getText()).isEqualTo("Sent");
        String referralId = browser.getCurrentUrl().replaceAll(".*/referrals/", "").replaceAll("[?#].*", "");
        JsonNode sent = api.get("council-worker", "/api/referrals/" + referralId);
        assertThat(sent.path("urgency").asString()).isEqualTo("URGENT");
        assertThat(sent.path("sharedSummary").isMissingNode() || sent.path("sharedSummary").isNull()).isTrue();
    }

    @Test
    void aNoteSentTwiceFromItsFormIsAddedOnce() {
        String id = referral(COURSES.get(3), "RECEIVE");
        signIn("college-worker");
        open("/referrals/" + id);
        waitFor(By.id("text")).sendKeys("Bring photo ID on the first day.");
        // A double click, or a form sent again after a slow answer: the same form, with its fields, posted twice
        // at once from the page (with its session and CSRF token), as the browser sends a form.
        @SuppressWarnings("unchecked")
        List<Long> statuses = (List<Long>) browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const form = document.querySelector('form[action$="/notes"]');
                const send = () => fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form)),
                    redirect: 'manual', credentials: 'same-origin'}).then(answer => answer.status);
                Promise.all([send(), send()]).then(done, error => done([String(error)]));""");
        assertThat(statuses).hasSize(2);

        open("/referrals/" + id);
        assertThat(waitFor(By.cssSelector("ul.notes")).findElements(By.tagName("li"))).hasSize(1);
        JsonNode thread = api.get("college-worker", "/api/referrals/" + id + "/notes");
        assertThat(thread).hasSize(1);
        assertThat(thread.get(0).path("text").asString()).isEqualTo("Bring photo ID on the first day.");
    }

    @Test
    void theCatalogueSearchTakesTheWordsAsTypedAndSaysBesideTheFormWhatItRefused() {
        signIn("council-worker");
        // "C++" finds the course (the catalogue indexes a new course a moment after it is published).
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        do {
            search("C++");
            assertThat(heading()).isEqualTo("Find an opportunity");
            assertThat(browser.findElement(By.id("q")).getAttribute("value")).isEqualTo("C++");
            if (!pageText().contains("C++ programming for beginners")) {
                assertThat(System.nanoTime()).as("not found: %s", pageText()).isLessThan(deadline);
                sleep(1000);
            }
        } while (!pageText().contains("C++ programming for beginners"));

        // Words that look like an address template are words: the search page, not "Something went wrong".
        search("{x}");
        assertThat(heading()).isEqualTo("Find an opportunity");
        assertThat(waitFor(By.tagName("h2")).getText()).isEqualTo("Results (0)");
        assertThat(browser.findElement(By.id("q")).getAttribute("value")).isEqualTo("{x}");

        // Words the catalogue refuses (over 200 characters): said beside the form, the words kept for another go.
        String tooLong = "woodwork ".repeat(25).strip();
        search(tooLong);
        assertThat(heading()).isEqualTo("Find an opportunity");
        assertThat(waitFor(By.id("problem")).getText()).contains("There is a problem",
                "The words: this is too long or too short.");
        assertThat(browser.findElement(By.id("q")).getAttribute("value")).isEqualTo(tooLong);
        checkPage("opportunities-refused");
        switchLanguage("cy");
        assertThat(waitFor(By.id("problem")).getText()).contains("Y geiriau: mae hwn yn rhy hir neu'n rhy fyr.");
        switchLanguage("en");
    }

    /** Searches the catalogue from its page with {@code words}, as typed into the search box. */
    private static void search(String words) {
        open("/opportunities");
        WebElement box = waitFor(By.id("q"));
        box.clear();
        box.sendKeys(words);
        follow(By.cssSelector("form[role=search] button[type=submit]"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> options(WebElement select) {
        return new Select(select).getOptions().stream().map(WebElement::getText).toList();
    }

    /** Presses "Did not finish" and says yes to the question asked first. */
    private static void didNotFinish() {
        WebElement page = browser.findElement(By.tagName("html"));
        click(By.xpath("//form[@id='fail']//button[normalize-space()='Did not finish']"));
        new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.alertIsPresent());
        assertThat(browser.switchTo().alert().getText())
                .isEqualTo("Record that this did not work out? This cannot be undone.");
        browser.switchTo().alert().accept();
        new WebDriverWait(browser, PATIENCE).until(driver -> isGone(page));
        waitFor(By.tagName("h1"));
    }

    private static JsonNode lastChange(String referralId) {
        JsonNode history = api.get("college-worker", "/api/referrals/" + referralId).path("history");
        return history.get(history.size() - 1);
    }
}
