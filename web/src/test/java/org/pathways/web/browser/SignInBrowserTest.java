package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * Signing in and out with the platform's issuer, in a real browser: the start page invites sign-in, the issuer's
 * form signs a worker in, the home page shows where to go for their role, the language switch turns every word
 * Welsh and is remembered, the page reflows to a phone's width, and signing out ends the session here and at the
 * issuer (the next sign-in asks for the password again).
 */
class SignInBrowserTest extends BrowserTest {

    @Test
    void aWorkerSignsInSeesTheirHomeInEnglishAndWelshAndSignsOutEverywhere() {
        open("/");
        assertThat(heading()).isEqualTo("Welcome to Pathways");
        // A newcomer on the devstack is told whom to sign in as for what, and the password.
        assertThat(waitFor(By.id("demo-accounts")).getText()).contains("demo-password", "council-worker",
                "college-worker", "coordinator", "the dashboard");
        checkPage("start-en");

        signIn("council-worker");
        assertThat(heading()).isEqualTo("Home");
        assertThat(pageText()).contains("council-worker", "agency-council", "Find or register a learner");
        checkPage("home-worker-en");

        switchLanguage("cy");
        assertThat(heading()).isEqualTo("Hafan");
        assertThat(pageText()).contains("Dod o hyd i ddysgwr neu gofrestru un");
        checkPage("home-worker-cy");
        open("/");
        assertThat(language()).as("the choice is remembered").isEqualTo("cy");
        switchLanguage("en");

        // On a phone's screen the page reflows: nothing runs off the side (WCAG 1.4.10), every link still there.
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            open("/");
            Object overflow = browser.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(((Number) overflow).intValue()).as("horizontal scrolling on a phone").isLessThanOrEqualTo(0);
            assertThat(browser.findElement(By.linkText("Find or register a learner")).isDisplayed()).isTrue();
            checkPage("home-worker-phone");
        } finally {
            browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
        }

        signOut();
        assertThat(browser.findElements(By.cssSelector(".account"))).isEmpty();
        assertThat(waitFor(By.id("signed-out")).getText())
                .isEqualTo("You have signed out. If other people use this computer, close the browser too.");
        open("/");
        assertThat(browser.findElements(By.id("signed-out"))).as("said once").isEmpty();
        // signed out at the issuer too: signing in again asks for the password
        open("/oauth2/authorization/pathways");
        assertThat(waitFor(By.name("username")).isDisplayed()).isTrue();
    }
}
