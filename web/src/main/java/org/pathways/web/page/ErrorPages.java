package org.pathways.web.page;

import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SimpleSavedRequest;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.servlet.ModelAndView;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.config.SignInAgain;
import org.pathways.web.config.WebProperties;

/**
 * The API's 404 (no such record, or not the caller's to see) is the web app's one "page not found": the same page,
 * the same status, whichever it was. Any other refusal the page did not handle itself is said in the page's words
 * ({@link Problems}), never the API's English detail. When the API no longer takes the person's access token (it
 * expired; the API client then forgot it), the person goes through the issuer again and comes back to the page.
 */
@ControllerAdvice
class ErrorPages {

    private static final Logger log = LoggerFactory.getLogger(ErrorPages.class);
    /** Set when a form sent with an expired token had to go round the issuer: the page it comes back to says so. */
    static final String SENT_NOT_KEPT = ErrorPages.class.getName() + ".SENT_NOT_KEPT";
    /** Where Spring Security's request cache keeps the page to come back to after signing in. */
    private static final String SAVED_REQUEST = "SPRING_SECURITY_SAVED_REQUEST";
    /** htmx stops a polling trigger on this answer. */
    private static final int STOP_POLLING = 286;

    private final String signIn;
    private final RequestCache pages = new HttpSessionRequestCache();

    ErrorPages(WebProperties properties) {
        this.signIn = "/oauth2/authorization/" + properties.registrationId();
    }

    @ExceptionHandler(ApiProblem.NotFound.class)
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(Model model, HttpServletRequest request) {
        withLayout(model, request);
        return "error/404";
    }

    @ExceptionHandler(ApiProblem.class)
    String refused(ApiProblem problem, Model model, HttpServletRequest request, HttpServletResponse response) {
        log.debug("The API refused a page's call: {} {}", problem.status(), problem.kind());
        withLayout(model, request);
        int status = problem.status().value();
        response.setStatus(status >= 500 ? HttpStatus.BAD_GATEWAY.value() : status);
        model.addAttribute("problem", problem);
        return "error/refused";
    }

    /**
     * The API refused the person's token (an API 401: it expired, and the issuer gives no refresh token), or the
     * token was forgotten after such a refusal: the browser goes through the issuer again (whose own session usually
     * signs them straight back in) and comes back to the page. A page asked for (GET) is asked for again; a page's own
     * refresh (htmx) brings back the page it is on; a form sent (POST) brings back the page it was sent from, and that
     * page says that what was sent was not kept ({@link #SENT_NOT_KEPT}), since the issuer's round trip cannot carry
     * it. Refused again within a minute of coming back signed in ({@link SignInAgain}), it is no expiry: the person is
     * told, rather than sent round the issuer in a loop (a page's refresh is answered with nothing and stops
     * refreshing).
     */
    @ExceptionHandler(ClientAuthorizationRequiredException.class)
    ModelAndView signInAgain(Model model, HttpServletRequest request, HttpServletResponse response) {
        boolean refresh = "true".equals(request.getHeader("HX-Request"));
        HttpSession session = request.getSession();
        if (SignInAgain.tooSoon(session)) {
            log.warn("The API refused an access token given moments ago; not sending the browser round again");
            if (refresh) {
                response.setStatus(STOP_POLLING);
                return null;
            }
            withLayout(model, request);
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            return new ModelAndView("error/refused", model.asMap());
        }
        SignInAgain.sent(session);
        if (refresh) {
            comeBackTo(session, pageShown(request.getHeader("HX-Current-URL")));
            response.setHeader("HX-Redirect", signIn);
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            return null;
        }
        if ("GET".equals(request.getMethod())) {
            pages.saveRequest(request, response);   // back to this page once signed in again
        } else {
            comeBackTo(session, pageShown(request.getHeader("Referer")));
            session.setAttribute(SENT_NOT_KEPT, Boolean.TRUE);
        }
        return new ModelAndView("redirect:" + signIn);
    }

    /** Where the sign-in's success sends the browser: a path on this site (the request cache's saved request). */
    private static void comeBackTo(HttpSession session, String path) {
        session.setAttribute(SAVED_REQUEST, new SimpleSavedRequest(path));
    }

    /** A page's address (htmx's {@code HX-Current-URL}, a {@code Referer}) as a path on this site; else the start page. */
    private static String pageShown(String address) {
        try {
            URI current = URI.create(address);
            String path = current.getRawPath();
            if (path == null || !path.startsWith("/") || path.startsWith("//")) {
                return "/";
            }
            return current.getRawQuery() == null ? path : path + "?" + current.getRawQuery();
        } catch (RuntimeException noPage) {
            return "/";
        }
    }

    /**
     * What the layout shows on every page (who is signed in, the language switch's address): an exception handler's
     * model does not get the {@link PageModel} attributes, so an error page lost the signed-in header.
     */
    private static void withLayout(Model model, HttpServletRequest request) {
        if (org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication()
                instanceof org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken token
                && token.getPrincipal() instanceof org.springframework.security.oauth2.core.oidc.user.OidcUser user) {
            model.addAttribute("user", org.pathways.web.signin.SignedInUser.of(user));
        }
        model.addAttribute("thisPage", PageModel.pageAddress(request));
    }
}
