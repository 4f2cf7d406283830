package org.pathways.web.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.ui.ExtendedModelMap;
import org.springframework.web.servlet.ModelAndView;

import org.pathways.web.config.SignInAgain;
import org.pathways.web.config.WebProperties;

/**
 * A page whose call the API refused for the person's token (expired) goes through the issuer again and comes back;
 * a list refreshing itself has the whole page loaded again; a token refused again just after signing in again is
 * said, not sent round the issuer in a loop.
 */
class ErrorPagesTest {

    private final ErrorPages pages = new ErrorPages(new WebProperties(URI.create("http://localhost:8080"), "pathways"));

    private static MockHttpServletRequest get(String path, String query) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        request.setQueryString(query);
        return request;
    }

    @Test
    void aPageGoesThroughTheIssuerAgainAndComesBackToWhereThePersonWas() {
        MockHttpServletRequest request = get("/referrals/incoming", "status=SUBMITTED");
        MockHttpServletResponse response = new MockHttpServletResponse();

        ModelAndView next = pages.signInAgain(new ExtendedModelMap(), request, response);

        assertThat(next.getViewName()).isEqualTo("redirect:/oauth2/authorization/pathways");
        assertThat(new HttpSessionRequestCache().getRequest(request, response).getRedirectUrl())
                .contains("/referrals/incoming?status=SUBMITTED");
    }

    @Test
    void aListRefreshingItselfSendsThePageThroughTheIssuerAndBackToThePage() {
        MockHttpServletRequest request = get("/referrals/incoming/rows", null);
        request.addHeader("HX-Request", "true");
        request.addHeader("HX-Current-URL", "http://localhost:8080/referrals/incoming?mine=true");
        MockHttpServletResponse response = new MockHttpServletResponse();

        assertThat(pages.signInAgain(new ExtendedModelMap(), request, response)).isNull();

        // Straight to the issuer (a page that asks the API nothing by itself would otherwise load again and again),
        // then back to the page shown, not to the list's own address.
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getHeader("HX-Redirect")).isEqualTo("/oauth2/authorization/pathways");
        assertThat(new HttpSessionRequestCache().getRequest(request, response).getRedirectUrl())
                .isEqualTo("/referrals/incoming?mine=true");

        // Back signed in, and the new token refused at once: nothing swapped in, the refreshing stops (htmx's 286),
        // no second round.
        SignInAgain.cameBack(request.getSession());
        MockHttpServletRequest again = get("/referrals/incoming/rows", null);
        again.setSession(request.getSession());
        again.addHeader("HX-Request", "true");
        MockHttpServletResponse stopped = new MockHttpServletResponse();
        assertThat(pages.signInAgain(new ExtendedModelMap(), again, stopped)).isNull();
        assertThat(stopped.getStatus()).isEqualTo(286);
        assertThat(stopped.getHeader("HX-Redirect")).isNull();

        // never another site's address
        MockHttpServletRequest elsewhere = get("/notifications/count", null);
        elsewhere.addHeader("HX-Request", "true");
        elsewhere.addHeader("HX-Current-URL", "https://elsewhere.example//phish");
        MockHttpServletResponse answer = new MockHttpServletResponse();
        pages.signInAgain(new ExtendedModelMap(), elsewhere, answer);
        assertThat(new HttpSessionRequestCache().getRequest(elsewhere, answer).getRedirectUrl()).isEqualTo("/");
    }

    @Test
    void aFormSentWithAnExpiredTokenComesBackToItsPageWhichSaysItWasNotKept() {
        MockHttpServletRequest sent = new MockHttpServletRequest("POST", "/learners/lrn-1/refer");
        sent.addHeader("Referer", "http://localhost:8080/learners/lrn-1/refer?opportunity=opp-1");
        MockHttpServletResponse response = new MockHttpServletResponse();

        ModelAndView next = pages.signInAgain(new ExtendedModelMap(), sent, response);

        assertThat(next.getViewName()).isEqualTo("redirect:/oauth2/authorization/pathways");
        assertThat(new HttpSessionRequestCache().getRequest(sent, response).getRedirectUrl())
                .isEqualTo("/learners/lrn-1/refer?opportunity=opp-1");
        // The page it comes back to says so, once.
        MockHttpServletRequest back = get("/learners/lrn-1/refer", "opportunity=opp-1");
        back.setSession(sent.getSession());
        assertThat(new PageModel().sentNotKept(back)).isTrue();
        assertThat(new PageModel().sentNotKept(back)).isFalse();
    }

    @Test
    void aTokenRefusedAgainJustAfterSigningInAgainIsSaidRatherThanGoingRoundInALoop() {
        MockHttpServletRequest first = get("/referrals/incoming", null);
        pages.signInAgain(new ExtendedModelMap(), first, new MockHttpServletResponse());
        SignInAgain.cameBack(first.getSession());       // the issuer's callback: a fresh token
        MockHttpServletRequest again = get("/referrals/incoming", null);
        again.setSession(first.getSession());
        MockHttpServletResponse response = new MockHttpServletResponse();

        ModelAndView next = pages.signInAgain(new ExtendedModelMap(), again, response);

        assertThat(next.getViewName()).isEqualTo("error/refused");
        assertThat(response.getStatus()).isEqualTo(401);
    }

    @Test
    void aRoundStartedButNeverFinishedDoesNotStopTheNextPageSigningIn() {
        // A page's own request (a refresh, a stream, a tab closed) was sent round the issuer and never came back.
        MockHttpServletRequest abandoned = get("/referrals/incoming/rows", null);
        abandoned.addHeader("HX-Request", "true");
        pages.signInAgain(new ExtendedModelMap(), abandoned, new MockHttpServletResponse());
        MockHttpServletRequest next = get("/dashboard", null);
        next.setSession(abandoned.getSession());
        MockHttpServletResponse response = new MockHttpServletResponse();

        ModelAndView answer = pages.signInAgain(new ExtendedModelMap(), next, response);

        assertThat(answer.getViewName()).isEqualTo("redirect:/oauth2/authorization/pathways");
        // a sign-in that came back with no refusal before it (the first of the day) is no round either
        MockHttpServletRequest later = get("/dashboard", null);
        SignInAgain.cameBack(later.getSession());
        assertThat(pages.signInAgain(new ExtendedModelMap(), later, new MockHttpServletResponse()).getViewName())
                .isEqualTo("redirect:/oauth2/authorization/pathways");
    }
}
