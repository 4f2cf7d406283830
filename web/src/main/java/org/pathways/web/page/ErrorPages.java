package org.pathways.web.page;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.servlet.ModelAndView;

import org.pathways.web.api.ApiProblem;
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
    /** When this session was last sent to sign in again because the API refused its token. */
    static final String SIGNED_IN_AGAIN_AT = ErrorPages.class.getName() + ".SIGNED_IN_AGAIN_AT";
    /** A fresh token refused this soon after signing in again is not an expiry: going round again would loop. */
    private static final Duration TOO_SOON = Duration.ofMinutes(1);

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
     * token was forgotten after such a refusal: the page the person asked for goes through the issuer again (whose
     * own session usually signs them straight back in) and comes back. A list refreshing itself (htmx) has the whole
     * page loaded again instead of a sign-in swapped into it. Refused again within a minute of signing in again, it
     * is no expiry: the person is told, rather than sent round the issuer in a loop.
     */
    @ExceptionHandler(ClientAuthorizationRequiredException.class)
    ModelAndView signInAgain(Model model, HttpServletRequest request, HttpServletResponse response) {
        if ("true".equals(request.getHeader("HX-Request"))) {
            response.setHeader("HX-Redirect", pageShown(request));
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            return null;
        }
        HttpSession session = request.getSession();
        if (session.getAttribute(SIGNED_IN_AGAIN_AT) instanceof Instant last
                && last.isAfter(Instant.now().minus(TOO_SOON))) {
            log.warn("The API refused an access token given moments ago; not sending the browser round again");
            withLayout(model, request);
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            return new ModelAndView("error/refused", model.asMap());
        }
        session.setAttribute(SIGNED_IN_AGAIN_AT, Instant.now());
        if ("GET".equals(request.getMethod())) {
            pages.saveRequest(request, response);   // back to this page once signed in again
        }
        return new ModelAndView("redirect:" + signIn);
    }

    /** The page the browser shows (htmx's {@code HX-Current-URL}), as a path on this site; the start page if unknown. */
    private static String pageShown(HttpServletRequest request) {
        try {
            URI current = URI.create(request.getHeader("HX-Current-URL"));
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
