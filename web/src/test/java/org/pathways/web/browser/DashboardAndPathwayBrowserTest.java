package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The coordinator's dashboard and the learner's pathway in a real browser, on the one platform of every browser
 * test. The council registers a learner (with consent to share with the college) and refers them to a college
 * course, through the API; then:
 * <ul>
 * <li>the coordinator's dashboard changes while it is open — without a reload — when the college accepts the
 * referral and again when it completes it, and shows no personal data, neither on the page nor in its CSV;</li>
 * <li>the learner's pathway shows a milestone recorded after it was first opened, in the learner's language;</li>
 * <li>a worker of an agency with no standing gets the same 404 page for that pathway as for a learner that does not
 * exist;</li>
 * <li>both pages pass axe-core (no serious or critical violation) in English and in Welsh, with screenshots.</li>
 * </ul>
 */
class DashboardAndPathwayBrowserTest extends BrowserTest {

    private static final String GIVEN_NAME = "Ceridwen";
    private static final String FAMILY_NAME = "Pryce-Wynne";
    private static final String DATE_OF_BIRTH = "1987-05-21";
    private static final String NEED = "Wants to improve written English for a job application";

    private static PlatformApi api;
    private static String learnerId;
    private static String referralId;

    @BeforeAll
    static void aLearnerReferredByTheCouncilToTheCollege() {
        api = new PlatformApi(platform);
        Map<String, Object> course = new LinkedHashMap<>();
        course.put("title", "Functional Skills English Level 1 (browser test)");
        course.put("kind", "FORMAL_LEARNING");
        course.put("level", "L1");
        course.put("capacity", 12);
        course.put("terms", List.of("english", "writing"));
        course.put("venues", List.of(Map.of("name", "Main site", "locality", "LS6")));
        String opportunityId = api.post("college-admin", "/api/opportunities", course).get("id").asString();
        api.post("college-admin", "/api/opportunities/" + opportunityId + "/publish", null);

        Map<String, Object> learner = new LinkedHashMap<>();
        learner.put("givenName", GIVEN_NAME);
        learner.put("familyName", FAMILY_NAME);
        learner.put("dateOfBirth", DATE_OF_BIRTH);
        learner.put("localityCode", "LS6");
        learner.put("preferredLanguage", "en");
        learner.put("goals", "Write better English for work.");
        learner.put("interests", List.of("writing"));
        learner.put("priorAchievements", List.of(Map.of("title", "Runs a community choir", "kind", "INFORMAL")));
        learnerId = api.post("council-worker", "/api/learners", learner).get("id").asString();
        api.post("council-worker", "/api/learners/" + learnerId + "/consents",
                Map.of("agencyId", "agency-college", "purpose", "REFERRAL_SHARING", "method", "VERBAL"));
        referralId = api.postOnceAccepted("council-worker", "/api/referrals", Map.of("learnerId", learnerId,
                "opportunityId", opportunityId, "need", NEED, "urgency", "ROUTINE")).get("id").asString();

        // a second course the college has no place on, a council worker leading the learner
        course.put("title", "Access to Nursing (browser test, full)");
        course.put("level", "L3");
        String fullCourseId = api.post("college-admin", "/api/opportunities", course).get("id").asString();
        api.post("college-admin", "/api/opportunities/" + fullCourseId + "/publish", null);
        String turnedDown = api.postOnceAccepted("council-worker", "/api/referrals", Map.of("learnerId", learnerId,
                "opportunityId", fullCourseId, "need", NEED, "urgency", "ROUTINE")).get("id").asString();
        api.transition("college-worker", turnedDown, "RECEIVE");
        api.transition("college-worker", turnedDown, "REJECT", "NO_CAPACITY");
        api.put("council-worker", "/api/learners/" + learnerId + "/lead", Map.of("workerId", "council-worker"));
    }

    @Test
    void theCoordinatorsDashboardChangesLiveAsTheCollegeAcceptsAndCompletesAReferralAndNamesNoOne() {
        signIn("coordinator");
        open("/dashboard");
        assertThat(heading()).isEqualTo("Partnership dashboard");
        awaitLiveConnection();
        String acceptedBefore = funnelTotal("accepted");
        String completedBefore = funnelTotal("completed");
        checkPage("dashboard-coordinator-en");
        // a mark that only survives if the page is not reloaded
        browser.executeScript("window.sameDocument = true;");

        api.transition("college-worker", referralId, "RECEIVE");
        api.transition("college-worker", referralId, "ACCEPT");
        awaitChange("accepted", acceptedBefore);

        api.transition("college-worker", referralId, "START");
        api.transition("college-worker", referralId, "COMPLETE");
        awaitChange("completed", completedBefore);
        assertThat(browser.executeScript("return window.sameDocument === true")).as("no reload").isEqualTo(true);
        assertThat(browser.findElements(By.cssSelector("#figures canvas"))).as("charts drawn").isNotEmpty();
        screenshot("dashboard-coordinator-after-completion");

        assertThat(pageText()).as("a coordinator sees no personal data")
                .doesNotContain(GIVEN_NAME, FAMILY_NAME, DATE_OF_BIRTH, "21 May 1987", NEED, learnerId);
        for (String table : List.of("funnel", "flows", "response-times", "milestones", "reasons", "conversion")) {
            String csv = download("/dashboard/" + table + ".csv");
            assertThat(csv).as(table + ".csv").isNotBlank().doesNotContain(GIVEN_NAME, FAMILY_NAME, NEED, learnerId);
            if (table.equals("funnel")) {
                assertThat(csv).contains("period_start,submitted,received,accepted,started,completed");
            }
        }

        switchLanguage("cy");
        assertThat(heading()).isEqualTo("Dangosfwrdd y bartneriaeth");
        checkPage("dashboard-coordinator-cy");
        switchLanguage("en");
    }

    @Test
    void theCoordinatorSeesWherePathwaysStopWhereProvisionIsMissingAndWhoHasALeadWithSmallCountsInWords() {
        signIn("coordinator");
        open("/dashboard");
        // the projections catch up with the rejection and the lead a moment after the events: reload until they have
        new WebDriverWait(browser, Duration.ofSeconds(60)).pollingEvery(Duration.ofSeconds(2)).until(driver -> {
            driver.navigate().refresh();
            return rowText("missing-table", "LS6", "Course (formal learning)").contains("fewer than 5")
                    && rowText("support-table", "With a lead worker").contains("fewer than 5");
        });
        List<String> headings = browser.findElements(By.tagName("h2")).stream().map(h -> h.getText()).toList();
        assertThat(headings).contains("Where do people stop along a pathway?", "Where is provision missing?",
                "Are agencies' systems receiving referrals?", "Who has a lead worker and a plan?",
                "Are people moving on to more formal learning?");
        // one referral turned down for want of a place: a count of 1 to 4, said in words, never "<5"
        assertThat(rowText("journeys-table", "Access to Nursing (browser test, full)"))
                .as("the full course: referred once, stopped without completing").contains("fewer than 5");
        assertThat(browser.findElement(By.id("delivery-table")).isDisplayed()).isTrue();
        assertThat(pageText()).doesNotContain("<5").doesNotContain(GIVEN_NAME, FAMILY_NAME, NEED, learnerId);
        checkPage("dashboard-partnership-questions-en");

        String missing = download("/dashboard/missing-provision.csv");
        assertThat(missing).contains("locality,opportunity_kind,referred,rejected_no_capacity,rejected_not_eligible")
                .contains("LS6,FORMAL_LEARNING,");
        for (String table : List.of("journeys", "learning-progression", "delivery-health", "learner-support")) {
            String csv = download("/dashboard/" + table + ".csv");
            assertThat(csv).as(table + ".csv").isNotBlank().doesNotContain(GIVEN_NAME, FAMILY_NAME, NEED,
                    learnerId);
        }
        assertThat(download("/dashboard/learner-support.csv")).contains("with_lead,<5");

        // the funnel split by locality: the learner's LS6 among the groups, as a table and a CSV
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("groupBy"))).selectByValue("LOCALITY");
        click(By.xpath("//button[normalize-space()='Show figures']"));
        // the figures come with the next page: wait for it rather than read the one still showing
        String groupRow = new WebDriverWait(browser, Duration.ofSeconds(30)).pollingEvery(Duration.ofMillis(250))
                .ignoring(org.openqa.selenium.WebDriverException.class)
                .until(driver -> {
                    String text = rowText("funnel-groups-table", "LS6");
                    return text == null || text.isBlank() ? null : text;
                });
        assertThat(groupRow).contains("LS6");
        assertThat(download("/dashboard/funnel-groups.csv?groupBy=LOCALITY"))
                .contains("grouped_by,group_id,group,submitted,received,accepted,started,completed")
                .contains("locality,LS6,LS6,");
        checkPage("dashboard-funnel-by-locality-en");

        switchLanguage("cy");
        assertThat(rowText("support-table", "Gyda gweithiwr arweiniol")).contains("llai na 5");
        checkPage("dashboard-partnership-questions-cy");
        switchLanguage("en");

        // Dates the wrong way round: the page says which period it shows instead, not silently another one.
        open("/dashboard?from=2026-11-30&to=2026-11-01");
        assertThat(waitFor(By.id("dates-adjusted")).getText()).startsWith("The dates asked for could not be used")
                .contains("showing");
        open("/dashboard");
        assertThat(browser.findElements(By.id("dates-adjusted"))).isEmpty();

        // an agency's worker is refused the partnership-wide reports by the API: the page leaves them out
        signIn("college-worker");
        open("/dashboard");
        assertThat(browser.findElements(By.id("missing-table"))).isEmpty();
        assertThat(browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/dashboard/missing-provision.csv', {credentials: 'same-origin'}).then(r => done(r.status));
                """)).as("as if there were no such table").isEqualTo(404L);
    }

    /** The text of the first row of a table that holds every one of {@code parts}; empty when there is none. */
    private static String rowText(String table, String... parts) {
        return (String) browser.executeScript("""
                const parts = arguments[1];
                for (const row of document.querySelectorAll('#' + arguments[0] + ' tbody tr')) {
                  const text = row.textContent.replace(/\\s+/g, ' ');
                  if (parts.every(part => text.includes(part))) {
                    return text;
                  }
                }
                return '';
                """, table, List.of(parts));
    }

    @Test
    void theLearnersPathwayShowsANewMilestoneInTheirLanguageAndIsNoOneElsesToSee() {
        signIn("council-worker");
        open("/learners/" + learnerId);
        click(By.linkText("Their pathway, to go through and print"));
        assertThat(heading()).isEqualTo(GIVEN_NAME + "’s pathway");
        assertThat(browser.getTitle()).as("the tab, the history and a printed page's header").doesNotContain(GIVEN_NAME);
        assertThat(pageText()).contains("Write better English for work.", "Runs a community choir",
                "learning in everyday life");
        assertThat(pageText()).as("an agency's own words never reach the learner's page").doesNotContain(NEED);
        checkPage("pathway-en");

        api.post("council-worker", "/api/learners/" + learnerId + "/milestones", Map.of("kind",
                "ACHIEVEMENT_GAINED", "occurredOn", LocalDate.now().minusDays(3).toString(), "learningKind",
                "NON_FORMAL", "title", "Community newsletter writing group"));
        open("/learners/" + learnerId + "/pathway");
        assertThat(browser.findElement(By.id("journey")).getText())
                .contains("You achieved something: Community newsletter writing group");
        assertThat(pageText()).contains("a group or course without an exam");
        screenshot("pathway-new-milestone-en");

        open("/learners/" + learnerId + "/pathway?in=cy");
        assertThat(language()).isEqualTo("cy");
        assertThat(heading()).isEqualTo("Llwybr " + GIVEN_NAME);
        assertThat(browser.findElement(By.id("journey")).getText())
                .contains("Fe wnaethoch chi gyflawni rhywbeth: Community newsletter writing group");
        checkPage("pathway-cy");

        signIn("jobcentre-worker");
        open("/learners/" + learnerId + "/pathway");
        String notTheirs = heading();
        screenshot("pathway-other-agency-404");
        open("/learners/no-such-learner/pathway");
        assertThat(heading()).as("the same page as for a learner that does not exist").isEqualTo(notTheirs);
        assertThat(pageText()).doesNotContain(GIVEN_NAME);
    }

    private static void awaitLiveConnection() {
        try {
            new WebDriverWait(browser, PATIENCE).until(driver -> driver.findElement(By.id("live-status")).getText()
                    .startsWith("Live"));
        } catch (org.openqa.selenium.TimeoutException e) {
            Object probe = browser.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const controller = new AbortController();
                    setTimeout(() => controller.abort(), 8000);
                    fetch('/dashboard/live', {headers: {'Accept': 'text/event-stream'}, signal: controller.signal})
                      .then(async r => { const reader = r.body.getReader(); const first = await reader.read();
                        done(r.status + ' ' + r.headers.get('content-type') + ' ' + new TextDecoder().decode(first.value)); })
                      .catch(e => done('ERROR ' + e));
                    """);
            throw new AssertionError("live status: " + browser.findElement(By.id("live-status")).getText()
                    + "; probe of /dashboard/live: " + probe, e);
        }
    }

    /** The funnel's total for a stage, as the table shows it ("0", or "fewer than 5" for 1 to 4). */
    private static String funnelTotal(String stage) {
        int column = List.of("submitted", "received", "accepted", "started", "completed").indexOf(stage);
        // read in one step: the live refresh may swap the table in between finding a cell and reading it
        return (String) browser.executeScript(
                "return document.querySelectorAll('#funnel-table tfoot td')[arguments[0]].textContent.trim()", column);
    }

    private static void awaitChange(String stage, String before) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> !funnelTotal(stage).equals(before));
    }

    /** Fetches a download with the browser's own session, as clicking the link would. */
    private static String download(String path) {
        return (String) browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done, e => done('ERROR ' + e));
                """, path);
    }
}
