package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The team around a learner and their shared plan in a real browser (issue 19). The council registers a learner with
 * consent to share with the college (through the API); then, on the learner's page:
 * <ul>
 * <li>a council worker makes themselves the learner's lead worker and adds a plan step owned by the college;</li>
 * <li>a college worker (in the team on the learner's consent to share for referrals, not their milestones) sees the
 * learner's page, the council's worker as the lead and the step in their team view, and marks it DOING;</li>
 * <li>a jobcentre worker, outside the team, gets the same page as for a learner that does not exist;</li>
 * <li>the council sees the new status, and the learner's printable pathway shows the plan and the lead's agency;</li>
 * <li>the pages pass axe-core in English and in Welsh.</li>
 * </ul>
 */
class TeamBrowserTest extends BrowserTest {

    private static final String STEP = "Enrol on the Entry 3 ESOL course";
    private static final String STEP_ROW = "//table[@id='plan-steps']//tr[td[contains(., '" + STEP + "')]]";

    private static PlatformApi api;
    private static String learnerId;

    @BeforeAll
    static void aLearnerOfTheCouncilWhoAgreedToShareWithTheCollege() {
        api = new PlatformApi(platform);
        Map<String, Object> learner = new LinkedHashMap<>();
        learner.put("givenName", "Rhiannon");
        learner.put("familyName", "Teamtest");
        learner.put("dateOfBirth", "1990-03-14");
        learner.put("localityCode", "LS6");
        learner.put("preferredLanguage", "en");
        learner.put("goals", "Speak English with confidence at work.");
        learnerId = api.post("council-worker", "/api/learners", learner).get("id").asString();
        api.post("council-worker", "/api/learners/" + learnerId + "/consents",
                Map.of("agencyId", "agency-college", "purpose", "REFERRAL_SHARING", "method", "VERBAL"));
    }

    @Test
    void aWorkerTakesTheLeadAndAddsAStepForTheCollegeWhoseWorkerSeesItAndStartsIt() {
        signIn("council-worker");
        open("/learners/" + learnerId);
        assertThat(browser.findElement(By.id("lead")).getText()).isEqualTo("No one is their lead worker yet.");

        follow(By.id("take-lead"));
        assertThat(waitFor(By.id("lead")).getText()).startsWith("You are their lead worker");
        assertThat(browser.findElements(By.id("take-lead"))).as("one lead at a time").isEmpty();

        openDetails("add-step");
        browser.findElement(By.id("step-title")).sendKeys(STEP);
        new Select(browser.findElement(By.id("step-owner"))).selectByValue("agency-college");
        setDate("step-due", LocalDate.now().plusDays(14).toString());
        follow(By.cssSelector("#add-step button[type=submit]"));
        WebElement row = stepRow();
        assertThat(row.getText()).contains(STEP).contains("Planned");
        checkPage("learner-team-lead-en");

        signIn("college-worker");
        open("/learners/" + learnerId);
        assertThat(heading()).as("in the team on a consent to share for referrals").isEqualTo("Rhiannon Teamtest");
        assertThat(browser.findElement(By.tagName("main")).getText())
                .contains("They have not agreed to share their milestones and achievements with your agency.");
        assertThat(waitFor(By.id("lead")).getText()).contains("Their lead worker is council-worker");
        assertThat(browser.findElement(By.id("team-agencies")).getText()).contains("(your agency)");
        row = stepRow();
        assertThat(row.getText()).contains(STEP).contains("Planned");
        assertThat(browser.findElements(By.id("take-lead"))).as("the learner already has a lead").isEmpty();
        checkPage("learner-team-college-en");

        WebElement status = row.findElement(By.tagName("select"));
        new Select(status).selectByValue("DOING");
        follow(By.xpath(STEP_ROW + "//button[@type='submit']"));
        assertThat(waitFor(By.cssSelector(".notice.success")).getText()).isEqualTo("Step updated.");
        assertThat(stepRow().findElement(By.cssSelector(".status")).getText()).isEqualTo("Doing");

        switchLanguage("cy");
        assertThat(stepRow().findElement(By.cssSelector(".status")).getText()).isEqualTo("Ar waith");
        assertThat(browser.findElement(By.id("plan")).getText()).isEqualTo("Cynllun a rennir");
        checkPage("learner-team-college-cy");
        switchLanguage("en");

        // The printable pathway, for the learner, from a team member without their consent to share outcomes: the
        // plan is there, and the page says their journey is not shown (it was "Page not found").
        open("/learners/" + learnerId + "/pathway");
        assertThat(waitFor(By.id("journey-not-shared")).getText())
                .isEqualTo("You have not agreed to share your progress with this service, so your journey is not shown here.");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains(STEP);
        checkPage("pathway-without-outcome-consent");

        signIn("jobcentre-worker");
        open("/learners/" + learnerId);
        String notInTheTeam = heading();
        open("/learners/no-such-learner");
        assertThat(heading()).as("outside the team: the same page as for no learner").isEqualTo(notInTheTeam);
        assertThat(browser.findElement(By.cssSelector("header .who")).getText())
                .as("the error page keeps the signed-in header").contains("jobcentre-worker");

        signIn("council-worker");
        open("/learners/" + learnerId);
        assertThat(stepRow().findElement(By.cssSelector(".status")).getText()).isEqualTo("Doing");
        open("/learners/" + learnerId + "/pathway");
        assertThat(browser.findElement(By.cssSelector("ol.plan")).getText()).contains(STEP).contains("Started");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Your lead worker is at");
        checkPage("pathway-plan-en");
        open("/learners/" + learnerId + "/pathway?in=cy");
        assertThat(browser.findElement(By.cssSelector("ol.plan")).getText()).contains("Wedi dechrau");
        checkPage("pathway-plan-cy");
    }

    @Test
    void aStaleFormSaysThePlanChangedAndOverwritesNothing() {
        signIn("council-worker");
        open("/learners/" + learnerId);
        openDetails("add-step");
        browser.findElement(By.id("step-title")).sendKeys("Open a bank account");
        // Someone else adds a step meanwhile: the page's version is now stale.
        JavascriptExecutor js = browser;
        String etag = (String) js.executeScript("return document.querySelector('#add-step input[name=etag]').value");
        api.postIfMatch("college-worker", "/api/learners/" + learnerId + "/plan/steps",
                Map.of("title", "Meet the lead"), etag);
        follow(By.cssSelector("#add-step button[type=submit]"));
        assertThat(waitFor(By.id("plan-stale")).getText())
                .contains("Someone changed the plan while you were looking at it");
        assertThat(browser.findElement(By.id("plan-steps")).getText()).contains("Meet the lead")
                .doesNotContain("Open a bank account");
        // What was typed is still in the form, to send again as it is.
        assertThat(browser.findElement(By.id("step-title")).getAttribute("value")).isEqualTo("Open a bank account");
        assertThat(browser.findElement(By.id("step-title")).isDisplayed()).isTrue();
    }

    @Test
    void aRefusedStepIsSaidWhereThePageOpensWithWhatWasTyped() {
        signIn("council-worker");
        open("/learners/" + learnerId);
        openDetails("add-step");
        browser.findElement(By.id("step-title")).sendKeys("Apply for the apprenticeship");
        setDate("step-due", LocalDate.now().plusYears(10).toString());
        follow(By.cssSelector("#add-step button[type=submit]"));

        WebElement problem = waitFor(By.id("problem"));
        assertThat(problem.getText()).contains("within the next five years");
        assertThat(browser.getCurrentUrl()).as("the page opens at the refusal").endsWith("#problem");
        assertThat(browser.findElement(By.id("step-title")).getAttribute("value"))
                .isEqualTo("Apply for the apprenticeship");
        assertThat(browser.findElement(By.id("step-due")).getAttribute("value"))
                .isEqualTo(LocalDate.now().plusYears(10).toString());
    }

    private static WebElement stepRow() {
        return waitFor(By.xpath(STEP_ROW));
    }

    private static void openDetails(String formId) {
        ((JavascriptExecutor) browser).executeScript(
                "document.getElementById(arguments[0]).closest('details').open = true", formId);
    }

    private static void setDate(String id, String isoDate) {
        ((JavascriptExecutor) browser).executeScript("document.getElementById(arguments[0]).value = arguments[1]",
                id, isoDate);
    }
}
