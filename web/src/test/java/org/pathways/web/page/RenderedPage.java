package org.pathways.web.page;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;
import org.thymeleaf.context.WebContext;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.spring6.expression.ThymeleafEvaluationContext;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.web.servlet.JakartaServletWebApplication;

import org.pathways.web.api.PathwaysApi;

/**
 * A page as the web app renders it from a controller's model (its Thymeleaf template, the app's message bundles, and
 * the {@code @names} and {@code @problems} the templates call), without starting the application: for a test of what
 * the person sees when a controller's answer is not the usual one.
 */
public final class RenderedPage {

    private RenderedPage() {
    }

    /** The HTML of {@code view} drawn from {@code model} in {@code locale}; names are asked of {@code api}. */
    public static String of(String view, Map<String, Object> model, PathwaysApi api, Locale locale) {
        MessageSource messages = Bundles.messages();
        try (GenericApplicationContext beans = new GenericApplicationContext()) {
            beans.registerBean("names", Names.class, () -> new Names(api));
            beans.registerBean("problems", Problems.class, () -> new Problems(messages));
            beans.registerBean("dates", Dates.class);
            beans.refresh();

            ClassLoaderTemplateResolver templates = new ClassLoaderTemplateResolver();
            templates.setPrefix("templates/");
            templates.setSuffix(".html");
            templates.setTemplateMode(TemplateMode.HTML);
            templates.setCharacterEncoding("UTF-8");
            SpringTemplateEngine engine = new SpringTemplateEngine();
            engine.setTemplateResolver(templates);
            engine.setTemplateEngineMessageSource(messages);

            MockServletContext servlet = new MockServletContext();
            var exchange = JakartaServletWebApplication.buildApplication(servlet)
                    .buildExchange(new MockHttpServletRequest(servlet, "GET", "/"), new MockHttpServletResponse());
            WebContext page = new WebContext(exchange, locale, new HashMap<>(model));
            page.setVariable(ThymeleafEvaluationContext.THYMELEAF_EVALUATION_CONTEXT_CONTEXT_VARIABLE_NAME,
                    new ThymeleafEvaluationContext(beans, null));
            Locale before = LocaleContextHolder.getLocale();
            LocaleContextHolder.setLocale(locale);
            try {
                return engine.process(view, page);
            } finally {
                LocaleContextHolder.setLocale(before);
            }
        }
    }
}
