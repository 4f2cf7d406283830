package org.pathways.platform.tracing;

import com.mongodb.MongoClientSettings;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.observability.ContextProviderFactory;
import org.springframework.data.mongodb.observability.MongoObservationCommandListener;

/**
 * Traces beyond what Spring Boot observes by itself (HTTP server and client): every MongoDB command a service sends
 * is a span of the request or event it serves, through Spring Data MongoDB's observation support. The spans name the
 * database, collection and operation only, never the command's contents.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
public class PlatformTracingAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MongoClientSettings.class, MongoObservationCommandListener.class,
            MongoClientSettingsBuilderCustomizer.class})
    @ConditionalOnBean(ObservationRegistry.class)
    static class MongoCommands {

        @Bean
        MongoClientSettingsBuilderCustomizer mongoCommandObservations(ObservationRegistry observations) {
            return settings -> settings.contextProvider(ContextProviderFactory.create(observations))
                    .addCommandListener(new MongoObservationCommandListener(observations));
        }
    }
}
