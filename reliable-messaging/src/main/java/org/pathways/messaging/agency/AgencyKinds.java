package org.pathways.messaging.agency;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.bson.Document;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.FindAndModifyOptions;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import tools.jackson.databind.JsonNode;

/**
 * Each agency's kind, as the catalogue's agency events ({@code agency.registered}, {@code agency.updated}) tell it:
 * the one read model every service that resolves "consent for every agency of a kind" keeps. Codes only.
 *
 * <p>A tolerant reader, with one rule for what this version does not know: an event naming a kind this version has
 * no name for is consumed, and the agency is recorded as known with its kind unknown (never dead-lettered, never
 * dropped); a consent for a kind covers it once a later event names a kind this version knows. Only an event
 * without an agency id, which cannot be about any agency, is malformed (dead-lettered).
 *
 * <p>The newest word wins: each write is one atomic conditional upsert that applies only if nothing newer is known,
 * so a redelivered or late event never rolls a kind back, and replaying the topic rebuilds the same state.
 */
public class AgencyKinds {

    /** The inbox handler name of the agency events binding. */
    public static final String HANDLER = "agency-kinds";
    private static final Logger log = LoggerFactory.getLogger(AgencyKinds.class);
    /** The kind the listeners were last told of in full (see {@link #record}). */
    private static final String TOLD_KIND = "toldKind";

    private final MongoTemplate mongo;
    private final String collection;
    private final Iterable<AgencyKindChangeListener> listeners;

    /**
     * @param listeners told of kind changes; looked up at each change (a Spring {@code ObjectProvider} will do), so a
     *                  listener may itself depend on this read model
     */
    public AgencyKinds(MongoTemplate mongo, String collection, Iterable<AgencyKindChangeListener> listeners) {
        this.mongo = mongo;
        this.collection = collection;
        this.listeners = listeners;
        // "Every agency of a kind" (a kind consent withdrawn, or an agency's kind changed) is a query by kind.
        mongo.indexOps(collection).createIndex(new Index().on("kind", Sort.Direction.ASC).named("kind"));
    }

    /** The read model's own collection. */
    public String collection() {
        return collection;
    }

    /** What is known of the agency, if the catalogue has announced it. */
    public Optional<KnownAgency> find(String agencyId) {
        if (agencyId == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(mongo.findById(agencyId, Document.class, collection)).map(AgencyKinds::known);
    }

    /**
     * The agency's kind, if the catalogue has announced it with a kind this version knows: a consent given to every
     * agency of a kind covers neither an agency not (yet) announced nor one of an unknown kind.
     */
    public Optional<AgencyKind> kindOf(String agencyId) {
        return find(agencyId).flatMap(KnownAgency::knownKind);
    }

    /** The known kinds of {@code agencyIds} (agencies not announced, or of an unknown kind, are left out). */
    public Map<String, AgencyKind> kindsOf(Collection<String> agencyIds) {
        return mongo.find(Query.query(Criteria.where("_id").in(agencyIds)), Document.class, collection).stream()
                .map(AgencyKinds::known)
                .filter(agency -> agency.kind() != null)
                .collect(Collectors.toMap(KnownAgency::agencyId, KnownAgency::kind));
    }

    /** The ids of the agencies known to be of {@code kind}. */
    public List<String> agenciesOfKind(AgencyKind kind) {
        Query ofKind = Query.query(Criteria.where("kind").is(kind.name()));
        ofKind.fields().include("_id");
        return mongo.find(ofKind, Document.class, collection).stream().map(d -> d.get("_id").toString()).toList();
    }

    /** Applies one agency event (other types are ignored); the handler of the {@code agencyEvents} binding. */
    public void apply(ReceivedEvent event) {
        String timeField;
        if (event.is(EventType.AGENCY_REGISTERED)) {
            timeField = "registeredAt";
        } else if (event.is(EventType.AGENCY_UPDATED)) {
            timeField = "updatedAt";
        } else {
            return;
        }
        JsonNode data = event.data(JsonNode.class);
        String agencyId = text(data, "agencyId");
        if (agencyId == null || agencyId.isBlank()) {
            throw new MalformedEventException("Event " + event.id() + " of type " + event.type()
                    + " names no agency");
        }
        String reportedKind = text(data, "kind");
        AgencyKind kind = kindNamed(reportedKind);
        if (kind == null) {
            log.info("Agency event {} names a kind this version does not know: the agency is recorded with its kind "
                    + "unknown", event.id());
        }
        Instant asOf = instant(text(data, timeField));
        record(agencyId, kind, reportedKind, asOf != null ? asOf : event.time());
    }

    /**
     * Records what the event said, unless something newer is known; tells the listeners of a changed kind. The kind
     * the listeners were last told of in full ({@code toldKind}) is kept apart from the kind, and moved on only once
     * every listener has finished: a handling that stopped half way (a listener threw, the process was killed) is
     * told again when the event is handled again, although the kind itself was recorded the first time.
     */
    private void record(String agencyId, AgencyKind kind, String reportedKind, Instant asOf) {
        Query notNewer = Query.query(Criteria.where("_id").is(agencyId)
                .orOperator(Criteria.where("asOf").exists(false), Criteria.where("asOf").lte(asOf)));
        Update update = new Update().set("asOf", asOf).set("reportedKind", reportedKind)
                .setOnInsert(TOLD_KIND, told(kind));
        if (kind != null) {
            update.set("kind", kind.name());
        } else {
            update.unset("kind");
        }
        Document before;
        try {
            before = mongo.findAndModify(notNewer, update, FindAndModifyOptions.options().upsert(true).returnNew(false),
                    Document.class, collection);
        } catch (DuplicateKeyException newerKnown) {
            // The agency is known as of a later time: nothing matched to update, and the insert found it there.
            log.debug("Agency event for {} as of {} is older than what is known: not applied", agencyId, asOf);
            return;
        }
        if (before == null) {
            return;
        }
        // Recorded before toldKind was kept: its kind was told when it was recorded.
        AgencyKind former = before.containsKey(TOLD_KIND) ? kindNamed(before.getString(TOLD_KIND))
                : known(before).kind();
        if (former != kind) {
            for (AgencyKindChangeListener listener : listeners) {
                listener.kindChanged(agencyId, former, kind);
            }
            // Told in full; unless a newer event changed the kind meanwhile (it tells its own change).
            Query stillThisKind = Query.query(Criteria.where("_id").is(agencyId).and("kind")
                    .is(kind == null ? null : kind.name()));
            mongo.updateFirst(stillThisKind, new Update().set(TOLD_KIND, told(kind)), collection);
        }
    }

    /** What {@link #TOLD_KIND} holds for {@code kind} ("" for a kind unknown). */
    private static String told(AgencyKind kind) {
        return kind == null ? "" : kind.name();
    }

    /** The kind of this name, or {@code null} for a name this version does not know (or none). */
    static AgencyKind kindNamed(String name) {
        if (name == null) {
            return null;
        }
        for (AgencyKind kind : AgencyKind.values()) {
            if (kind.name().equals(name)) {
                return kind;
            }
        }
        return null;
    }

    private static KnownAgency known(Document document) {
        Object kind = document.get("kind");
        Object reported = document.get("reportedKind");
        Object asOf = document.get("asOf");
        String kindName = kind == null ? null : kind.toString();
        return new KnownAgency(document.get("_id").toString(), kindNamed(kindName),
                reported != null ? reported.toString() : kindName,
                asOf instanceof Date date ? date.toInstant() : null);
    }

    private static String text(JsonNode data, String field) {
        JsonNode value = data == null ? null : data.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notATime) {
            return null;
        }
    }
}
