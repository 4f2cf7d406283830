package org.pathways.notification.routing;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.pathways.events.EventType;
import org.pathways.events.agency.AgencyKind;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.messaging.Message;
import tools.jackson.databind.JsonNode;

/**
 * Each agency's kind, as the agency events tell it ({@code pathways.agencies}): a local read model that resolves a
 * learner's consent for every agency of a kind. Codes only.
 */
@Configuration
public class AgencyKinds {

    static final String HANDLER = "agency-events";
    private static final Logger log = LoggerFactory.getLogger(AgencyKinds.class);

    /** An agency's kind as of {@code asOf} (the time of the event that said so). */
    @Document("agency_kinds")
    record AgencyKindEntry(@Id String agencyId, AgencyKind kind, Instant asOf) {
    }

    private final MongoTemplate mongo;

    AgencyKinds(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Bean
    Consumer<Message<byte[]>> agencyEvents(EventInbox inbox) {
        return inbox.consumer(HANDLER, this::apply);
    }

    /**
     * Read leniently (by name, from the JSON): a kind this version does not know yet, or an event it cannot read, is
     * skipped rather than dead-lettered; the agency's next event with a known kind sets it.
     */
    void apply(ReceivedEvent event) {
        if (!event.is(EventType.AGENCY_REGISTERED) && !event.is(EventType.AGENCY_UPDATED)) {
            return;
        }
        JsonNode data = event.data(JsonNode.class);
        JsonNode agencyId = data == null ? null : data.get("agencyId");
        JsonNode kind = data == null ? null : data.get("kind");
        if (agencyId == null || !agencyId.isString()
                || !ResourceId.FORMAT.matcher(agencyId.asString()).matches()
                || kind == null || !kind.isString()) {
            log.info("Agency event {} without an agency id or kind: ignored", event.id());
            return;
        }
        try {
            remember(agencyId.asString(), AgencyKind.valueOf(kind.asString()), event.time());
        } catch (IllegalArgumentException unknownKind) {
            log.info("Agency event {} names a kind this version does not know: ignored", event.id());
        }
    }

    /** Keeps the newest word on an agency's kind: a late, older event does not undo a newer one. */
    private void remember(String agencyId, AgencyKind kind, Instant asOf) {
        if (agencyId == null || kind == null || asOf == null) {
            log.info("Agency event without an agency, kind or time: ignored");
            return;
        }
        Query notNewer = Query.query(Criteria.where("_id").is(agencyId)
                .orOperator(Criteria.where("asOf").exists(false), Criteria.where("asOf").lte(asOf)));
        try {
            mongo.upsert(notNewer, new Update().set("kind", kind).set("asOf", asOf), AgencyKindEntry.class);
        } catch (org.springframework.dao.DuplicateKeyException newerKnown) {
            // The agency is known with a newer kind: the upsert found nothing to update and could not insert.
        }
    }

    /** The kinds of {@code agencies} that are known. */
    Map<String, AgencyKind> of(Collection<String> agencies) {
        return mongo.find(Query.query(Criteria.where("_id").in(agencies)), AgencyKindEntry.class).stream()
                .filter(e -> e.kind() != null)
                .collect(Collectors.toMap(AgencyKindEntry::agencyId, AgencyKindEntry::kind));
    }
}
