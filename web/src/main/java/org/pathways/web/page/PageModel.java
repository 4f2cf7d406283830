package org.pathways.web.page;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import org.pathways.web.signin.SignedInUser;

/** What the layout needs on every page: who is signed in, and this page's address for the language switch. */
@ControllerAdvice
class PageModel {

    /**
     * Whether this is a demo partnership (the devstack sets {@code pathways.web.demo-accounts}): the start page then
     * says which demo person to sign in as for what, so a newcomer knows where to click. Never set in a deployment.
     */
    @org.springframework.beans.factory.annotation.Value("${pathways.web.demo-accounts:false}")
    private boolean demoAccounts;

    @ModelAttribute("demoAccounts")
    boolean demoAccounts() {
        return demoAccounts;
    }

    @ModelAttribute("user")
    SignedInUser user(@AuthenticationPrincipal OidcUser user) {
        return user == null ? null : SignedInUser.of(user);
    }

    /** A form sent as the token expired went round the issuer and was not kept: said once, on the page it was on. */
    @ModelAttribute("sentNotKept")
    boolean sentNotKept(HttpServletRequest request) {
        jakarta.servlet.http.HttpSession session = request.getSession(false);
        if (session == null || session.getAttribute(ErrorPages.SENT_NOT_KEPT) == null
                || "true".equals(request.getHeader("HX-Request"))) {
            return false;
        }
        session.removeAttribute(ErrorPages.SENT_NOT_KEPT);
        return true;
    }

    @ModelAttribute("thisPage")
    String thisPage(HttpServletRequest request) {
        return pageAddress(request);
    }

    /** This page's address without the language parameter, for the language switch. */
    static String pageAddress(HttpServletRequest request) {
        return ServletUriComponentsBuilder.fromRequest(request).replaceQueryParam("lang")
                .build().toUriString().replaceFirst("^[a-z]+://[^/]+", "");
    }
}
