package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;
import org.openqa.selenium.WebElement;

/**
 * An agency admin looks after their agency's connections in a real browser: subscribes a webhook endpoint and sees
 * the signing secret once (never again on a reload), pauses and resumes it, rotates the secret (shown once again),
 * reads the delivery log and its parked deliveries, reads the event feed with the cursor their developers go on
 * from, and deletes the subscription. A worker without the admin role is offered none of it.
 */
class AgencyAdminBrowserTest extends BrowserTest {

    @Test
    void anAgencyAdminManagesWebhooksSeesTheSecretOnceAndReadsDeliveriesAndTheFeed() {
        signIn("college-admin");
        follow(By.linkText("Agency admin"));
        assertThat(heading()).isEqualTo("Your agency");
        checkPage("admin-agency");
        // Where the college's notices are e-mailed, set from the page, in Welsh.
        WebElement mailbox = waitFor(By.id("notificationEmail"));
        mailbox.clear();
        mailbox.sendKeys("referrals-team@college.example.org");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("settings-language"))).selectByValue("cy");
        follow(By.cssSelector("#settings-form button[type=submit]"));
        assertThat(waitFor(By.cssSelector(".notice.success")).getText()).isEqualTo("Notification settings saved.");
        assertThat(pageText()).contains("referrals-team@college.example.org", "Welsh");
        JsonNode stored = new PlatformApi(platform).get("college-admin", "/api/agency-settings");
        assertThat(stored.path("notificationEmail").asString()).isEqualTo("referrals-team@college.example.org");
        assertThat(stored.path("language").asString()).isEqualTo("cy");

        follow(By.linkText("Webhook subscriptions"));
        assertThat(pageText()).contains("No subscriptions yet.");
        // A refused address: the form comes back as it was sent, to correct rather than type again.
        waitFor(By.id("url")).sendKeys("ftp://mis.example.org/pathways-events");
        click(By.xpath("//label[code='org.pathways.referral.submitted.v1']"));
        follow(By.xpath("//button[normalize-space()='Subscribe']"));
        assertThat(waitFor(By.cssSelector(".notice.error")).getText()).contains("There is a problem");
        assertThat(waitFor(By.id("url")).getAttribute("value")).isEqualTo("ftp://mis.example.org/pathways-events");
        assertThat(browser.findElement(By.xpath("//label[code='org.pathways.referral.submitted.v1']"
                + "/preceding-sibling::input")).isSelected()).as("the event type chosen, still chosen").isTrue();
        browser.findElement(By.id("url")).clear();
        waitFor(By.id("url")).sendKeys("http://localhost:9/college-mis/pathways-events");
        click(By.xpath("//label[code='org.pathways.referral.completed.v1']"));
        checkPage("admin-webhooks-new");
        follow(By.xpath("//button[normalize-space()='Subscribe']"));
        String secret = waitFor(By.cssSelector("#webhook-secret code")).getText();
        assertThat(secret).startsWith("whsec_");
        assertThat(pageText()).contains("Subscribed.", "http://localhost:9/college-mis/pathways-events",
                "org.pathways.referral.completed.v1", "Active");
        checkPage("admin-webhooks-secret");

        open("/admin/webhooks");
        assertThat(browser.findElements(By.id("webhook-secret"))).as("the secret is shown only once").isEmpty();
        assertThat(pageText()).doesNotContain(secret);

        follow(By.xpath("//button[normalize-space()='Pause']"));
        assertThat(pageText()).contains("Paused: deliveries wait until you resume.");
        assertThat(browser.findElement(By.cssSelector("td .status")).getText()).isEqualTo("Paused");
        follow(By.xpath("//button[normalize-space()='Resume']"));
        assertThat(browser.findElement(By.cssSelector("td .status")).getText()).isEqualTo("Active");

        follow(By.xpath("//button[normalize-space()='Rotate the secret']"));
        String rotated = waitFor(By.cssSelector("#webhook-secret code")).getText();
        assertThat(rotated).startsWith("whsec_").isNotEqualTo(secret);
        switchLanguage("cy");
        assertThat(heading()).isEqualTo("Tanysgrifiadau bachau gwe");
        checkPage("admin-webhooks-cy");
        switchLanguage("en");

        follow(By.linkText("Deliveries"));
        assertThat(heading()).isEqualTo("Deliveries");
        checkPage("admin-deliveries");
        follow(By.linkText("Show only parked deliveries"));
        checkPage("admin-deliveries-parked");

        follow(By.linkText("Event feed"));
        assertThat(pageText()).contains("Read after cursor", "GET /api/feed?after=");
        checkPage("admin-feed");

        open("/admin/webhooks");
        // Asked first: saying no keeps it, yes deletes it.
        click(By.xpath("//button[normalize-space()='Delete']"));
        new org.openqa.selenium.support.ui.WebDriverWait(browser, PATIENCE)
                .until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
        assertThat(browser.switchTo().alert().getText())
                .isEqualTo("Delete this subscription? Its pending deliveries are cancelled.");
        browser.switchTo().alert().dismiss();
        assertThat(browser.findElements(By.cssSelector("td .status"))).as("kept").hasSize(1);
        WebElement page = browser.findElement(By.tagName("html"));
        click(By.xpath("//button[normalize-space()='Delete']"));
        new org.openqa.selenium.support.ui.WebDriverWait(browser, PATIENCE)
                .until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
        browser.switchTo().alert().accept();
        new org.openqa.selenium.support.ui.WebDriverWait(browser, PATIENCE)
                .until(driver -> isGone(page));
        assertThat(pageText()).contains("Deleted; its pending deliveries are cancelled.", "No subscriptions yet.");
    }

    @Test
    void aWorkerWithoutTheAdminRoleIsNotOfferedTheAdminPages() {
        signIn("college-worker");
        assertThat(browser.findElements(By.linkText("Agency admin"))).isEmpty();
        assertThat(pageText()).doesNotContain("Your agency's settings");
    }
}
