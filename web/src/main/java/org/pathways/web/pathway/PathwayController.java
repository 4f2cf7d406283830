package org.pathways.web.pathway;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.i18n.CookieLocaleResolver;

import org.pathways.web.config.Language;

/**
 * The learner's pathway: one page a worker goes through with the person, and prints or saves as a PDF for them
 * (the print stylesheet leaves out the site's header, navigation and buttons). It is in the learner's preferred
 * language, whatever language the worker reads the rest of the site in; {@code ?in=en} or {@code ?in=cy} shows it in
 * the other for this view only (the worker's own choice of language is left as it is).
 */
@Controller
class PathwayController {

    private final LearnersPathway pathways;

    PathwayController(LearnersPathway pathways) {
        this.pathways = pathways;
    }

    @GetMapping("/learners/{id}/pathway")
    String pathway(@PathVariable String id, @RequestParam(name = "in", required = false) String in,
                   HttpServletRequest request, Model model) {
        LearnersPathway.Pathway pathway = pathways.of(id);
        String language = Language.supported(in) != null ? in : LearnersPathway.pageLanguage(
                pathway.preferredLanguage());
        // For this response only: the cookie resolver reads the request's locale from this attribute first.
        request.setAttribute(CookieLocaleResolver.LOCALE_REQUEST_ATTRIBUTE_NAME, Language.supported(language));
        LocaleContextHolder.setLocale(Language.supported(language));
        model.addAttribute("pathway", pathway);
        model.addAttribute("other", "cy".equals(language) ? "en" : "cy");
        return "pathway";
    }
}
