package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TokenClient;

/**
 * An agency joins the partnership in a real browser: its admin registers it in the web app, asking to be a
 * jobcentre, and is told it waits for approval; a platform administrator sees what it asked for and who it is,
 * decides it is another kind, confirms, and the catalogue then has the administrator's kind, not the agency's. Nobody
 * else is offered the approval page, and asking for it anyway is the page-not-found page.
 */
class PlatformAdminBrowserTest extends BrowserTest {

    private static final String JOBCENTRE = "agency-jobcentre";
    private static final String NAME = "Northside Jobcentre Plus";

    private static String token(String user) throws Exception {
        return new TokenClient(platform.issuer).signIn("pathways-web", platform.address + "/login/callback", user,
                BrowserPlatform.PASSWORD).accessToken();
    }

    @Test
    void anAgencyRegistersItselfAndAPlatformAdminApprovesItWithTheKindTheyDecide() throws Exception {
        signIn("jobcentre-admin");
        follow(By.linkText("Agency admin"));
        assertThat(pageText()).contains("The catalogue has no record of agency-jobcentre yet.");
        new Select(browser.findElement(By.id("kind"))).selectByVisibleText("jobcentre");
        waitFor(By.id("localities")).sendKeys("LS7, LS8/9");
        // No name, and an area with a slash: the form comes back as it was sent, saying what is wrong where.
        follow(By.xpath("//form[@id='register-agency']//button[@type='submit']"));
        assertThat(waitFor(By.id("problem")).getText()).contains("Name: this cannot be left empty.",
                "Areas served: this is not in the form expected.");
        assertThat(browser.findElement(By.xpath("//div[@id='problem']//a[contains(., 'Areas served')]"))
                .getAttribute("href")).endsWith("#localities");
        assertThat(browser.findElement(By.id("localities")).getAttribute("value")).isEqualTo("LS7, LS8/9");
        browser.findElement(By.id("localities")).clear();
        browser.findElement(By.id("localities")).sendKeys("LS7, LS8");
        assertThat(new Select(browser.findElement(By.id("kind"))).getFirstSelectedOption().getText())
                .isEqualTo("jobcentre");
        waitFor(By.id("name")).sendKeys(NAME);
        waitFor(By.id("email")).sendKeys("workcoaches@jobcentre.gov.uk");
        checkPage("admin-agency-register");
        follow(By.xpath("//form[@id='register-agency']//button[@type='submit']"));
        assertThat(waitFor(By.cssSelector(".notice.success")).getText())
                .isEqualTo("Registered. A platform administrator will now approve what kind of agency it is.");
        assertThat(waitFor(By.id("agency-pending")).getText()).contains("(kind: jobcentre; sector: public)");
        checkPage("admin-agency-pending");

        signIn("college-admin");
        assertThat(browser.findElements(By.linkText("Agency approvals"))).isEmpty();
        open("/platform/agencies");
        assertThat(heading()).isEqualTo("Page not found");

        signIn("platform-admin");
        assertThat(pageText()).contains("Approve agencies");
        follow(By.linkText("Agency approvals"));
        assertThat(heading()).isEqualTo("Agencies waiting for approval");
        WebElement request = waitFor(By.id("agency-" + JOBCENTRE));
        assertThat(request.getText()).contains(NAME, "kind: jobcentre; sector: public", "LS7, LS8",
                "workcoaches@jobcentre.gov.uk");
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

        HttpApi.Response agency = new HttpApi(platform.address.getPort()).get("/api/agencies/" + JOBCENTRE,
                token("platform-admin"));
        assertThat(agency.text("status")).isEqualTo("APPROVED");
        assertThat(agency.text("kind")).isEqualTo("OTHER");
        assertThat(agency.text("sector")).isEqualTo("PUBLIC");

        signIn("jobcentre-admin");
        open("/admin");
        assertThat(browser.findElements(By.id("agency-pending"))).isEmpty();
        assertThat(pageText()).contains(NAME, "other agency");
    }
}
