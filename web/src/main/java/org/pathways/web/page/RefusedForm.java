package org.pathways.web.page;

import java.util.Map;

import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A form the API refused, sent back to the page it was sent from (post, redirect, get): the refusal in the page's
 * words ({@code refused}) and the form as it was sent ({@code sent}, with its key, so that sending it again is the
 * same request) are carried over the redirect, and the page opens at the refusal ({@code #problem}, which the page
 * draws focusable) rather than at its top, so that the worker sees why and corrects what they wrote instead of
 * writing it again.
 */
public final class RefusedForm {

    /** The id of the refusal on every page that shows one, where the page opens. */
    static final String AT_THE_REFUSAL = "#problem";

    private RefusedForm() {
    }

    /**
     * Sends the form back to {@code page} (a path on this site) with the refusal said in {@code refusal} (from
     * {@link Problems#text}) and the form as {@code sent} (null when the page has nothing to fill back in).
     */
    public static String backTo(String page, String refusal, Map<String, String> sent, RedirectAttributes redirect) {
        redirect.addFlashAttribute("refused", refusal);
        if (sent != null) {
            redirect.addFlashAttribute("sent", sent);
        }
        return "redirect:" + page + AT_THE_REFUSAL;
    }
}
