package org.pathways.web.page;

import org.springframework.context.MessageSource;
import org.springframework.context.support.ResourceBundleMessageSource;

/** The web app's message bundles as the app reads them ({@code spring.messages} in web.yml), for tests of its words. */
public final class Bundles {

    private Bundles() {
    }

    public static MessageSource messages() {
        ResourceBundleMessageSource messages = new ResourceBundleMessageSource();
        messages.setBasenames("messages", "codes", "dashboard", "pathway");
        messages.setDefaultEncoding("UTF-8");
        messages.setFallbackToSystemLocale(false);
        messages.setAlwaysUseMessageFormat(true);
        return messages;
    }

    /** What the pages say about the API's refusals, in the language of the current locale. */
    public static Problems problems() {
        return new Problems(messages());
    }
}
