package org.pathways.web.page;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;

import org.pathways.web.api.ApiProblem;

/**
 * The API's 404 (no such record, or not the caller's to see) is the web app's one "page not found": the same page,
 * the same status, whichever it was. Any other refusal the page did not handle itself is said in the page's words
 * ({@link Problems}), never the API's English detail.
 */
@ControllerAdvice
class ErrorPages {

    private static final Logger log = LoggerFactory.getLogger(ErrorPages.class);

    @ExceptionHandler(ApiProblem.NotFound.class)
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(org.springframework.ui.Model model, jakarta.servlet.http.HttpServletRequest request) {
        withLayout(model, request);
        return "error/404";
    }

    @ExceptionHandler(ApiProblem.class)
    String refused(ApiProblem problem, org.springframework.ui.Model model,
                   jakarta.servlet.http.HttpServletRequest request,
                   jakarta.servlet.http.HttpServletResponse response) {
        log.debug("The API refused a page's call: {} {}", problem.status(), problem.kind());
        withLayout(model, request);
        int status = problem.status().value();
        response.setStatus(status >= 500 ? HttpStatus.BAD_GATEWAY.value() : status);
        model.addAttribute("problem", problem);
        return "error/refused";
    }

    /**
     * What the layout shows on every page (who is signed in, the language switch's address): an exception handler's
     * model does not get the {@link PageModel} attributes, so an error page lost the signed-in header.
     */
    private static void withLayout(org.springframework.ui.Model model, jakarta.servlet.http.HttpServletRequest request) {
        if (org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication()
                instanceof org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken token
                && token.getPrincipal() instanceof org.springframework.security.oauth2.core.oidc.user.OidcUser user) {
            model.addAttribute("user", org.pathways.web.signin.SignedInUser.of(user));
        }
        model.addAttribute("thisPage", PageModel.pageAddress(request));
    }
}
