package org.pathways.messaging.agency;

import java.util.function.Consumer;

import org.pathways.messaging.ReliableMessagingAutoConfiguration;
import org.pathways.messaging.inbox.EventInbox;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.messaging.Message;

/**
 * {@link AgencyKinds} and its consumer {@code agencyEvents}, for every service that binds the catalogue's agency
 * events ({@code spring.cloud.stream.bindings.agencyEvents-in-0.destination}, listed in its function definition).
 */
@AutoConfiguration(after = ReliableMessagingAutoConfiguration.class)
@ConditionalOnProperty("spring.cloud.stream.bindings.agencyEvents-in-0.destination")
@EnableConfigurationProperties(AgencyKindsProperties.class)
public class AgencyKindsAutoConfiguration {

    @Bean
    AgencyKinds agencyKinds(MongoTemplate mongo, AgencyKindsProperties properties,
                            ObjectProvider<AgencyKindChangeListener> listeners) {
        return new AgencyKinds(mongo, properties.collection(), () -> listeners.orderedStream().iterator());
    }

    @Bean
    Consumer<Message<byte[]>> agencyEvents(EventInbox inbox, AgencyKinds agencyKinds) {
        return inbox.consumer(AgencyKinds.HANDLER, agencyKinds::apply);
    }
}
