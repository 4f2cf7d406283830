package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The receiving college re-routes a referral to a better-suited course of its own in a real browser: the worker finds
 * the course by typing words from it (the choices appear as they type, without the course the referral is already
 * for), chooses it, says why, and lands on the new referral, linked to the first. Words that match nothing say so;
 * re-routing without a choice says what is missing instead of failing.
 */
class RerouteBrowserTest extends BrowserTest {

    private static final String FIRST = "Cookery for beginners (re-route test)";
    private static final String BETTER = "Bakery and pastry evening class (re-route test)";
    private static String referralId;

    @BeforeAll
    static void aCouncilLearnerReferredToTheCollegesCookeryCourse() {
        PlatformApi api = new PlatformApi(platform);
        String first = publish(api, FIRST, "E3");
        publish(api, BETTER, "L1");
        Map<String, Object> learner = new LinkedHashMap<>();
        learner.put("givenName", "Rosa");
        learner.put("familyName", "Reroute-Browser");
        learner.put("dateOfBirth", "1990-04-12");
        learner.put("localityCode", "LS6");
        learner.put("preferredLanguage", "en");
        String learnerId = api.post("council-worker", "/api/learners", learner).get("id").asString();
        api.post("council-worker", "/api/learners/" + learnerId + "/consents",
                Map.of("agencyId", "agency-college", "purpose", "REFERRAL_SHARING", "method", "VERBAL"));
        referralId = api.postOnceAccepted("council-worker", "/api/referrals", Map.of("learnerId", learnerId,
                "opportunityId", first, "need", "Wants to work in a bakery.", "urgency", "ROUTINE")).get("id")
                .asString();
    }

    private static String publish(PlatformApi api, String title, String level) {
        Map<String, Object> course = new LinkedHashMap<>();
        course.put("title", title);
        course.put("kind", "FORMAL_LEARNING");
        course.put("level", level);
        course.put("capacity", 12);
        course.put("venues", List.of(Map.of("name", "Main site", "locality", "LS6")));
        String id = api.post("college-admin", "/api/opportunities", course).get("id").asString();
        api.post("college-admin", "/api/opportunities/" + id + "/publish", null);
        return id;
    }

    @Test
    void theCollegeFindsABetterCourseByItsWordsAndReroutesTheReferralToIt() {
        signIn("college-worker");
        open("/referrals/" + referralId);
        click(By.cssSelector("#reroute summary"));

        // Re-routing before choosing says what is missing.
        follow(By.xpath("//details[@id='reroute']//button[normalize-space()='Re-route']"));
        assertThat(waitFor(By.cssSelector(".notice.error")).getText())
                .contains("Find and choose the opportunity to re-route to first.");

        click(By.cssSelector("#reroute summary"));
        waitFor(By.id("reroute-q")).sendKeys("xylophone");
        String noMatch = new WebDriverWait(browser, PATIENCE).until(driver -> {
            String text = driver.findElement(By.id("reroute-options")).getText();
            return text.isEmpty() ? null : text;
        });
        assertThat(noMatch).isEqualTo("No opportunity matches these words.");

        browser.findElement(By.id("reroute-q")).clear();
        browser.findElement(By.id("reroute-q")).sendKeys("pastry");
        WebElement choice = new WebDriverWait(browser, PATIENCE).until(driver -> driver
                .findElements(By.xpath("//div[@id='reroute-options']//label[contains(., '" + BETTER + "')]"))
                .stream().findFirst().orElse(null));
        assertThat(browser.findElement(By.id("reroute-options")).getText()).as("not the course it is already for")
                .doesNotContain(FIRST);
        checkPage("referral-reroute-choices");
        choice.click();
        waitFor(By.id("reroute-reason")).sendKeys("Her goal is a bakery job.");
        follow(By.xpath("//details[@id='reroute']//button[normalize-space()='Re-route']"));

        assertThat(waitFor(By.cssSelector(".notice.success")).getText())
                .isEqualTo("Re-routed: this is the new referral, linked to the previous one.");
        assertThat(browser.getCurrentUrl()).doesNotEndWith("/referrals/" + referralId);
        assertThat(pageText()).contains(BETTER);
        // The referral it came from was closed towards the new one: its history says why in words, not a code.
        String newPage = browser.getCurrentUrl();
        open("/referrals/" + referralId);
        assertThat(waitFor(By.cssSelector("ol.timeline")).getText()).contains("Re-routed to another opportunity")
                .doesNotContain("REROUTED");
        browser.get(newPage);

        // Without JavaScript the search is the page itself; words the catalogue refuses are said, the page stays.
        String newReferral = browser.getCurrentUrl().replaceAll(".*/referrals/", "").replaceAll("[?#].*", "");
        open("/referrals/" + newReferral + "?rerouteQ=" + "pastry".repeat(40));
        assertThat(heading()).isNotEqualTo("Something went wrong");
        assertThat(waitFor(By.cssSelector("#reroute-options .error")).getText()).contains("too long");
    }
}
