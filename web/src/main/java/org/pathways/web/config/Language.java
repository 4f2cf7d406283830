package org.pathways.web.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.LocaleResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.i18n.CookieLocaleResolver;
import org.springframework.web.servlet.i18n.LocaleChangeInterceptor;

/**
 * English and Welsh. The browser's preferred language decides until the person chooses with the switch on every
 * page ({@code ?lang=cy} / {@code ?lang=en}), which a cookie then remembers for a year.
 */
@Configuration(proxyBeanMethods = false)
public class Language implements WebMvcConfigurer {

    public static final Locale ENGLISH = Locale.forLanguageTag("en-GB");
    public static final Locale WELSH = Locale.forLanguageTag("cy-GB");
    public static final List<Locale> SUPPORTED = List.of(ENGLISH, WELSH);

    @Bean
    LocaleResolver localeResolver() {
        CookieLocaleResolver resolver = new CookieLocaleResolver("pathways-language");
        resolver.setCookieMaxAge(Duration.ofDays(365));
        resolver.setCookieHttpOnly(true);
        resolver.setDefaultLocaleFunction(Language::fromBrowser);
        return resolver;
    }

    /** The first of the browser's languages we speak, else English. */
    static Locale fromBrowser(HttpServletRequest request) {
        var preferred = request.getLocales();
        while (preferred.hasMoreElements()) {
            Locale locale = preferred.nextElement();
            Locale supported = supported(locale.getLanguage());
            if (supported != null) {
                return supported;
            }
        }
        return ENGLISH;
    }

    /** en or cy (any region) as the UK locale we format with; null for a language we do not speak. */
    public static Locale supported(String language) {
        if (language == null) {
            return null;
        }
        return switch (language.toLowerCase(Locale.ROOT)) {
            case "en" -> ENGLISH;
            case "cy" -> WELSH;
            default -> null;
        };
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        LocaleChangeInterceptor change = new LocaleChangeInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
                                     Object handler) {
                String asked = request.getParameter(getParamName());
                Locale locale = supported(asked);
                if (locale != null) {
                    org.springframework.web.servlet.support.RequestContextUtils.getLocaleResolver(request)
                            .setLocale(request, response, locale);
                }
                return true;
            }
        };
        change.setParamName("lang");
        registry.addInterceptor(change);
    }
}
