package org.pathways.web.home;

import org.pathways.web.config.WebSecurity;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The start page: before sign-in, what Pathways is and a button to sign in; after it, where to go for the person's
 * roles (the layout's model holds the signed-in user).
 */
@Controller
class HomeController {

    @GetMapping("/")
    String home(@org.springframework.web.bind.annotation.CookieValue(name = WebSecurity.SIGNED_OUT_COOKIE,
                        required = false) String signedOut,
                jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
                org.springframework.ui.Model model) {
        if (signedOut != null) {
            // Said once, on the page the issuer sent them back to.
            model.addAttribute("signedOut", true);
            response.addCookie(WebSecurity.signedOutCookie(request, "", 0));
        }
        return "home";
    }

    /** What a browser asks for by itself when a page names no icon (the printed pathway, a PDF viewer). */
    @GetMapping("/favicon.ico")
    String favicon() {
        return "redirect:/images/favicon.svg";
    }
}
