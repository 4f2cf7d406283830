package org.pathways.platform.http;

import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import org.pathways.platform.problem.ProblemResponses;

/**
 * Registers the HTTP edge's defences in every service and in the gateway: the query-string check and the body
 * limit as the first filters (after the gateway's correlation ids), problem details for Spring Security's firewall
 * refusals, for the servlet error page and for Tomcat's own refusals.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(HttpEdgeProperties.class)
public class HttpEdgeAutoConfiguration {

    /** Right after the gateway's correlation ids (highest precedence), before Spring Security (-100). */
    static final int FIRST_FILTERS = Ordered.HIGHEST_PRECEDENCE + 10;

    @Bean
    FilterRegistrationBean<MalformedRequestFilter> malformedRequestFilter() {
        FilterRegistrationBean<MalformedRequestFilter> registration =
                new FilterRegistrationBean<>(new MalformedRequestFilter());
        registration.setOrder(FIRST_FILTERS);
        return registration;
    }

    /** Every service's limit; the gateway declares its own {@link RequestBodyLimit}. */
    @Bean
    @ConditionalOnMissingBean
    RequestBodyLimit requestBodyLimit(HttpEdgeProperties properties) {
        return new RequestBodyLimit(properties.maxRequestBody().toBytes(), properties.largerLimitsInBytes());
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimit> requestBodyLimitRegistration(RequestBodyLimit limit) {
        FilterRegistrationBean<RequestBodyLimit> registration = new FilterRegistrationBean<>(limit);
        registration.setOrder(FIRST_FILTERS + 1);
        return registration;
    }

    @Bean
    @ConditionalOnMissingBean(ErrorController.class)
    ProblemErrorController problemErrorController() {
        return new ProblemErrorController();
    }

    /** A path Spring Security's firewall refuses ({@code ;}, {@code %25}, {@code ..}) is a 400 problem. */
    @Bean
    @ConditionalOnClass(RequestRejectedHandler.class)
    @ConditionalOnMissingBean
    RequestRejectedHandler problemRequestRejectedHandler() {
        return (request, response, rejected) -> ProblemResponses.write(response, HttpStatus.BAD_REQUEST,
                "malformed-request", "The request's path is not acceptable.");
    }

    /**
     * After Spring Boot's own customizer, which adds its (HTML) report valve to the host: ours replaces it and
     * Tomcat's default.
     */
    @Bean
    @ConditionalOnClass(TomcatServletWebServerFactory.class)
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return new ProblemErrorReports();
    }

    private static final class ProblemErrorReports
            implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Container parent = context.getParent();
                if (parent instanceof StandardHost host) {
                    host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    host.getPipeline().addValve(new ProblemErrorReportValve());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
