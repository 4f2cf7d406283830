package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TokenClient;

/**
 * A platform administrator approves an agency that registered itself, in a real browser: the agency asked to be a
 * jobcentre, the administrator sees what it asked for and who it is, decides it is another kind, confirms, and the
 * catalogue then has the administrator's kind, not the agency's. Nobody else is offered the page, and asking for it
 * anyway is the page-not-found page.
 */
class PlatformAdminBrowserTest extends BrowserTest {

    private static final String JOBCENTRE = "agency-jobcentre";
    private static final String NAME = "Northside Jobcentre Plus";
    private static HttpApi api;

    /** The jobcentre registers itself through the API, as its own system or admin would; it is then pending. */
    @BeforeAll
    static void theJobcentreRegistersItself() throws Exception {
        api = new HttpApi(platform.address.getPort());
        HttpApi.Response registered = api.post("/api/agencies", token("jobcentre-admin"), Map.of("name", NAME,
                "sector", "PUBLIC", "kind", "JOB_CENTRE", "localities", List.of("LS7"),
                "contacts", List.of(Map.of("name", "Work coach team", "email", "workcoaches@jobcentre.gov.uk")),
                "acceptsDirectReferrals", true));
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(201);
        assertThat(registered.text("status")).isEqualTo("PENDING");
    }

    private static String token(String user) throws Exception {
        return new TokenClient(platform.issuer).signIn("pathways-web", platform.address + "/login/callback", user,
                BrowserPlatform.PASSWORD).accessToken();
    }

    @Test
    void aPlatformAdminApprovesAnAgencyWithTheKindTheyDecideAndNobodyElseIsOfferedThePage() throws Exception {
        signIn("college-admin");
        assertThat(browser.findElements(By.linkText("Agency approvals"))).isEmpty();
        open("/platform/agencies");
        assertThat(heading()).isEqualTo("Page not found");

        signIn("platform-admin");
        assertThat(pageText()).contains("Approve agencies");
        follow(By.linkText("Agency approvals"));
        assertThat(heading()).isEqualTo("Agencies waiting for approval");
        WebElement request = waitFor(By.id("agency-" + JOBCENTRE));
        assertThat(request.getText()).contains(NAME, "jobcentre, public sector", "LS7",
                "Work coach team, workcoaches@jobcentre.gov.uk");
        Select kind = new Select(browser.findElement(By.id("kind-" + JOBCENTRE)));
        assertThat(kind.getFirstSelectedOption().getText()).as("what it asked for, offered first").isEqualTo("jobcentre");
        checkPage("platform-agencies");
        switchLanguage("cy");
        assertThat(heading()).isEqualTo("Asiantaethau sy'n aros am gymeradwyaeth");
        checkPage("platform-agencies-cy");
        switchLanguage("en");

        // The administrator decides it is another kind: consents "to every jobcentre" must not reach it.
        new Select(browser.findElement(By.id("kind-" + JOBCENTRE))).selectByVisibleText("other agency");
        WebElement page = browser.findElement(By.tagName("html"));
        click(By.cssSelector("#agency-" + JOBCENTRE + " button[type=submit]"));
        new WebDriverWait(browser, PATIENCE).until(ExpectedConditions.alertIsPresent());
        assertThat(browser.switchTo().alert().getText()).isEqualTo("Approve " + NAME
                + " with the kind and sector chosen? Learners' consents to every agency of that kind will reach it.");
        browser.switchTo().alert().accept();
        new WebDriverWait(browser, PATIENCE).until(driver -> isGone(page));
        assertThat(waitFor(By.cssSelector(".notice.success")).getText())
                .isEqualTo("Approved " + NAME + " (kind: other agency).");
        assertThat(browser.findElements(By.id("agency-" + JOBCENTRE))).as("no longer waiting").isEmpty();

        HttpApi.Response agency = api.get("/api/agencies/" + JOBCENTRE, token("platform-admin"));
        assertThat(agency.text("status")).isEqualTo("APPROVED");
        assertThat(agency.text("kind")).isEqualTo("OTHER");
        assertThat(agency.text("sector")).isEqualTo("PUBLIC");
    }
}
