package org.pathways.learner.agency;

import java.time.Instant;
import java.util.function.Consumer;

import org.pathways.events.EventType;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencyUpdated;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.platform.validation.ResourceId;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Keeps {@link AgencyDirectory} from the catalogue's agency events ({@code pathways.agencies}, binding
 * {@code agencyEvents-in-0}, inbox handler {@code agency-directory}). Other types are ignored.
 */
@Configuration(proxyBeanMethods = false)
class AgencyEventBinding {

    static final String HANDLER = "agency-directory";

    @Bean
    Consumer<Message<byte[]>> agencyEvents(EventInbox inbox, AgencyDirectory directory) {
        return inbox.consumer(HANDLER, event -> {
            String agencyId;
            AgencyKind kind;
            Instant asOf;
            if (event.is(EventType.AGENCY_REGISTERED)) {
                AgencyRegistered registered = event.data(AgencyRegistered.class);
                agencyId = registered.agencyId();
                kind = registered.kind();
                asOf = registered.registeredAt();
            } else if (event.is(EventType.AGENCY_UPDATED)) {
                AgencyUpdated updated = event.data(AgencyUpdated.class);
                agencyId = updated.agencyId();
                kind = updated.kind();
                asOf = updated.updatedAt();
            } else {
                return;
            }
            if (agencyId == null || !ResourceId.FORMAT.matcher(agencyId).matches() || kind == null) {
                throw new MalformedEventException("Event " + event.id() + " of type " + event.type()
                        + " lacks an agency id or kind");
            }
            directory.learn(agencyId, kind, asOf != null ? asOf : event.time());
        });
    }
}
