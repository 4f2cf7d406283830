package org.pathways.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

/**
 * A worker's access token lasts 30 minutes, their session 8 hours, and the issuer gives no refresh token. When the
 * API refuses the token (here one that expired a minute ago is put in its place), the next page goes through the
 * issuer, whose own session signs the worker straight back in, and comes back to that page; a list refreshing itself
 * has the whole page loaded again the same way. Before, every page said "That could not be done" until they signed
 * out.
 */
class ExpiredTokenBrowserTest extends BrowserTest {

    private static final String REGISTRATION = "pathways";

    /** The web app's token for {@code user} is now one that expired a minute ago, as after 30 minutes' work. */
    private static String expireTheTokenOf(String user) {
        OAuth2AuthorizedClientService tokens = platform.webAppBean(OAuth2AuthorizedClientService.class);
        OAuth2AuthorizedClient current = tokens.loadAuthorizedClient(REGISTRATION, user);
        assertThat(current).as("the web app holds a token for %s", user).isNotNull();
        String expired = "expired-" + java.util.UUID.randomUUID();
        tokens.saveAuthorizedClient(new OAuth2AuthorizedClient(current.getClientRegistration(), user,
                new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, expired,
                        Instant.now().minus(Duration.ofMinutes(31)), Instant.now().minus(Duration.ofMinutes(1)))),
                UsernamePasswordAuthenticationToken.unauthenticated(user, null));
        return expired;
    }

    private static String tokenOf(String user) {
        OAuth2AuthorizedClient client = platform.webAppBean(OAuth2AuthorizedClientService.class)
                .loadAuthorizedClient(REGISTRATION, user);
        return client == null ? null : client.getAccessToken().getTokenValue();
    }

    @Test
    void theNextPageAfterTheTokenExpiredSignsTheWorkerInAgainAndComesBackToIt() {
        signIn("college-worker");
        open("/referrals/incoming");
        assertThat(heading()).isEqualTo("Incoming referrals");
        String expired = expireTheTokenOf("college-worker");

        open("/referrals/outgoing?mine=true");

        assertThat(heading()).as(pageText()).isEqualTo("Outgoing referrals");
        assertThat(browser.getCurrentUrl()).contains("/referrals/outgoing").contains("mine=true");
        assertThat(pageText()).contains("college-worker (agency-college)").doesNotContain("That could not be done");
        assertThat(tokenOf("college-worker")).as("a new token").isNotNull().isNotEqualTo(expired);
        checkPage("signed-in-again");

        // The token given moments ago refused as well: no expiry but a fault, so the page says so rather than
        // going round the issuer again (the sign-in that came back was noted by the sign-in's success handler).
        expireTheTokenOf("college-worker");
        open("/referrals/incoming");
        assertThat(pageText()).contains("Your sign-in could not be used just now");
        assertThat(browser.getCurrentUrl()).as("not sent round the issuer").contains("/referrals/incoming");
    }

    @Test
    void aListRefreshingItselfAfterTheTokenExpiredHasItsPageSignedInAgain() {
        signIn("council-worker");
        open("/referrals/outgoing");
        assertThat(heading()).isEqualTo("Outgoing referrals");
        browser.executeScript("window.pathwaysSameDocument = true;");
        String expired = expireTheTokenOf("council-worker");

        // The rows ask again within 5 seconds (htmx): the whole page is loaded again, through the issuer.
        new WebDriverWait(browser, PATIENCE).until(driver -> {
            try {
                return !Boolean.TRUE.equals(browser.executeScript("return window.pathwaysSameDocument === true;"))
                        && browser.getCurrentUrl().startsWith(platform.address.toString())
                        && !driver.findElements(By.tagName("h1")).isEmpty();
            } catch (org.openqa.selenium.WebDriverException midway) {
                return false;   // between two pages
            }
        });
        assertThat(heading()).as(pageText()).isEqualTo("Outgoing referrals");
        assertThat(browser.getCurrentUrl()).contains("/referrals/outgoing");
        assertThat(browser.findElements(By.cssSelector("#referral-rows"))).isNotEmpty();
        assertThat(tokenOf("council-worker")).as("a new token").isNotNull().isNotEqualTo(expired);
    }

    @Test
    void theLiveUpdatesNeverSendAnExpiredTokenToTheApi() {
        signIn("jobcentre-worker");
        open("/dashboard");
        expireTheTokenOf("jobcentre-worker");

        // What the dashboard's EventSource asks for on its next reconnections: refused without a stream, and never
        // sent to the issuer (an EventSource cannot follow that sign-in, so a round would start and never finish).
        assertThat(askForTheLiveStream()).as("no stream on an expired token").isEqualTo("401");
        assertThat(tokenOf("jobcentre-worker")).as("the expired token is forgotten, never sent again").isNull();
        assertThat(askForTheLiveStream()).as("no stream, no sign-in round, once forgotten").isEqualTo("401");

        // The next page signs the worker in again (before, a round the stream had started counted as a sign-in
        // moments ago, and the page said "That could not be done").
        open("/dashboard");
        new WebDriverWait(browser, PATIENCE).until(driver -> tokenOf("jobcentre-worker") != null
                && browser.getCurrentUrl().startsWith(platform.address + "/dashboard")
                && !driver.findElements(By.tagName("h1")).isEmpty());
        assertThat(heading()).as(pageText()).isEqualTo("Partnership dashboard");
    }

    private static Object askForTheLiveStream() {
        return browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const controller = new AbortController();
                setTimeout(() => controller.abort(), 8000);
                fetch('/dashboard/live', {headers: {'Accept': 'text/event-stream'}, signal: controller.signal,
                                          redirect: 'manual'})
                  .then(r => done(r.type === 'opaqueredirect' ? 'sign in' : String(r.status)))
                  .catch(e => done('ERROR ' + e));
                """);
    }
}
