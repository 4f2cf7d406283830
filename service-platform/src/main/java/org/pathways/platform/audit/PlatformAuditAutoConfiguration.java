package org.pathways.platform.audit;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The audit trail of every service that keeps data: each write and each read of personal data is recorded in the
 * service's own {@code audit-trail} collection. Off with {@code pathways.audit.enabled=false}; absent where there is
 * no MongoDB (the gateway).
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(MongoTemplate.class)
@ConditionalOnBean(MongoTemplate.class)
@ConditionalOnProperty(name = "pathways.audit.enabled", havingValue = "true", matchIfMissing = true)
public class PlatformAuditAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(AuditTrail.class)
    MongoAuditTrail mongoAuditTrail(MongoTemplate mongo) {
        return new MongoAuditTrail(mongo);
    }

    @Bean
    AuditInterceptor auditInterceptor(AuditTrail trail, Environment environment) {
        return new AuditInterceptor(trail, environment.getProperty("spring.application.name", "service"),
                Clock.systemUTC());
    }

    @Bean
    @ConditionalOnMissingBean
    PersonalDataReadAudit personalDataReadAudit(ObjectProvider<AuditInterceptor> auditInterceptor) {
        return new PersonalDataReadAudit(auditInterceptor);
    }

    @Bean
    WebMvcConfigurer auditInterceptorRegistration(AuditInterceptor auditInterceptor) {
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(auditInterceptor);
            }
        };
    }
}
