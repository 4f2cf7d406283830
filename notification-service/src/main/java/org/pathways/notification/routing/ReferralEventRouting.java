package org.pathways.notification.routing;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.pathways.events.catalogue.EventType;
import org.pathways.messaging.inbox.BatchScope;
import org.pathways.messaging.inbox.ErasedLearners;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.messaging.inbox.RoundTrips;
import org.pathways.notification.config.NotificationProperties;
import org.pathways.notification.delivery.WebhookFanOut;
import org.pathways.notification.email.EmailNotifications;
import org.pathways.notification.feed.AgencyFeed;
import org.pathways.notification.inapp.WorkerInbox;
import org.pathways.notification.notice.Notice;
import org.pathways.notification.notice.NoticeKind;
import org.pathways.notification.subscription.Subscriptions;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.messaging.Message;
import tools.jackson.databind.JsonNode;

/**
 * Decides which agencies a referral event concerns, and tells them: its referring and receiving agency, plus the
 * partnership coordinator for an overdue referral, and no one else. Agencies never read the internal topics; this is
 * the only way a referral event reaches them.
 *
 * <p>Routing is generic: any event on the referrals topic whose data names {@code referringAgencyId} and
 * {@code receivingAgencyId} goes to both, so a new referral event type needs no change here. An event that names
 * neither is routed to the parties remembered, by referral id (its subject), from an earlier event that did. Every
 * concerned agency gets the event in its feed and on the webhooks it subscribed for that type; people are told
 * (in-app and by e-mail) of a referral that arrived for their agency or is overdue there, and the team of a learner
 * whose plan follows the referral of its change of state ({@link TeamRouting}). Each step is idempotent,
 * so a retry of the whole event repeats nothing.
 *
 * <p>A batch consumer ({@link RoutedBatch}): per batch, the learners' aliases are read at once with the inbox's reads
 * and the parties of the referrals whose events do not name them are read ahead (one query by {@code _id} each),
 * and the referrals' parties and their listing under the learner are written at the batch's end (one bulk write
 * each, at once), with the feed entries, notices and e-mails; the webhooks go out as each event is routed.
 */
@Configuration
public class ReferralEventRouting {

    static final String HANDLER = "referral-events";
    private static final Logger log = LoggerFactory.getLogger(ReferralEventRouting.class);
    /** By its type name, so that routing does not depend on which event-contracts version knows it. */
    static final String OVERDUE = "org.pathways.referral.overdue.v1";

    private final WebhookFanOut fanOut;
    private final AgencyFeed feed;
    private final WorkerInbox workerInbox;
    private final EmailNotifications emails;
    private final MongoTemplate mongo;
    private final NotificationProperties properties;
    private final LearnerAliases aliases;
    private final LearnerRecords learners;
    private final TeamRouting team;
    private final Subscriptions subscriptions;
    private final ErasedLearners erasedLearners;
    private final LearnerErasure erasure;

    ReferralEventRouting(WebhookFanOut fanOut, AgencyFeed feed, WorkerInbox workerInbox, EmailNotifications emails,
                         MongoTemplate mongo, NotificationProperties properties, LearnerAliases aliases,
                         LearnerRecords learners, TeamRouting team, Subscriptions subscriptions,
                         ErasedLearners erasedLearners, LearnerErasure erasure) {
        this.subscriptions = subscriptions;
        this.erasedLearners = erasedLearners;
        this.erasure = erasure;
        this.aliases = aliases;
        this.learners = learners;
        this.team = team;
        this.fanOut = fanOut;
        this.feed = feed;
        this.workerInbox = workerInbox;
        this.emails = emails;
        this.mongo = mongo;
        this.properties = properties;
    }

    @Bean
    Consumer<Message<List<byte[]>>> referralEvents(EventInbox inbox) {
        return inbox.batchConsumerWithRecord(HANDLER, this::route, batchScope());
    }

    /** What a batch of referral events does around its events (see the class comment). */
    BatchScope batchScope() {
        return new RoutedBatch(feed, workerInbox, emails, subscriptions, properties, new BatchScope() {
            /**
             * The batch begins here, and the learners' aliases of every learner its events name are read at once with
             * the inbox's reads, rather than with the first event that needs them (one round trip fewer in a row).
             */
            @Override
            public Runnable readAhead(List<ReceivedEvent> events) {
                Batch read = new Batch();
                batch.set(read);
                Set<String> learnerIds = new LinkedHashSet<>();
                for (ReceivedEvent event : events) {
                    String learnerId = idField(RoutedBatch.data(event), "learnerId", null);
                    if (learnerId != null) {
                        learnerIds.add(learnerId);
                    }
                }
                return learnerIds.isEmpty() ? RoundTrips.NONE
                        : () -> read.currentLearners.putAll(aliases.currentOf(learnerIds));
            }

            @Override
            public void begin(List<ReceivedEvent> events) {
                Batch read = batch.get();     // begun by readAhead, which the inbox calls first
                Set<String> unnamed = new LinkedHashSet<>();
                Set<String> changed = new LinkedHashSet<>();
                for (ReceivedEvent event : events) {
                    JsonNode data = RoutedBatch.data(event);
                    String referralId = idField(data, "referralId", event.subject());
                    if (TeamRouting.changesState(referralId, data)) {
                        changed.add(referralId);
                    }
                    if (referralId != null && (idField(data, "referringAgencyId", null) == null
                            || idField(data, "receivingAgencyId", null) == null)) {
                        unnamed.add(referralId);
                    }
                }
                // The learners' aliases were read ahead, with the inbox's reads (a pseudonymised id is looked up when
                // it comes).
                team.beginReferralBatch(changed);
                if (!unnamed.isEmpty()) {
                    unnamed.forEach(referralId -> read.parties.put(referralId, null));
                    mongo.find(Query.query(Criteria.where("_id").in(unnamed)), ReferralParties.class)
                            .forEach(known -> read.parties.put(known.referralId(), known));
                }
            }

            @Override
            public void complete() {
                Batch held = batch.get();
                if (held == null) {
                    return;
                }
                Map<String, ReferralParties> parties = new LinkedHashMap<>(held.partiesToSave);
                Map<String, Set<String>> referralsOfLearners = new LinkedHashMap<>(held.referralsOfLearners);
                // Two collections, neither write needing the other: at once. Forgotten only once both are written
                // (a failure keeps both held, for the batch's next completion: each write is safe to repeat).
                RoundTrips.atOnce(() -> {
                    if (!parties.isEmpty()) {
                        ReferralParties.saveAll(mongo, List.copyOf(parties.values()));
                    }
                }, List.<Runnable>of(referralsOfLearners.isEmpty() ? RoundTrips.NONE
                        : () -> learners.addReferrals(referralsOfLearners)));
                held.partiesToSave.clear();
                held.referralsOfLearners.clear();
            }

            @Override
            public void close() {
                batch.remove();
                team.endReferralBatch();
            }
        }, this::forgetLearnersErasedMeanwhile, ReferralEventRouting::tellsPeople);
    }

    /** Whether the event tells people of its receiving agency (and the coordinator): see {@link #tellPeople}. */
    private static boolean tellsPeople(ReceivedEvent event) {
        return event.is(EventType.REFERRAL_SUBMITTED) || OVERDUE.equals(event.type());
    }

    /**
     * The inbox read the batch's erased learners when the batch began; a learner erased since (on the learners topic,
     * by another thread) may be named in what this batch wrote after the erasure had pseudonymised this service's
     * copies. One read by {@code _id} of the learners the batch's writes named finds them, and their copies are
     * pseudonymised again and their referrals' learner forgotten, so nothing here keeps them. (A webhook that already
     * went out stays with its agency, as for any event routed before an erasure.)
     */
    private void forgetLearnersErasedMeanwhile() {
        Batch held = batch.get();
        if (held == null || held.learnersWritten.isEmpty()) {
            return;
        }
        Set<String> named = Set.copyOf(held.learnersWritten.keySet());
        var erased = erasedLearners.lookUp(named);
        for (String learnerId : named) {
            if (erased.apply(learnerId).isPresent()) {
                log.info("A learner was erased while a batch naming them was routed: pseudonymising its copies again");
                erasure.pseudonymise(learnerId);
                mongo.updateMulti(Query.query(Criteria.where("_id").in(held.learnersWritten.get(learnerId))
                        .and("learnerId").is(learnerId)), new Update().unset("learnerId"), ReferralParties.class);
                learners.forget(Set.of(learnerId));
            }
        }
        held.learnersWritten.clear();
    }

    /** What this thread's batch read ahead and holds back; none outside a batch. */
    private static final class Batch {
        /** By learner id named in the batch, the learner that carries it on (read ahead). */
        final Map<String, String> currentLearners = new HashMap<>();
        /** By referral id, its parties as stored (null: none) or as routed in this batch. */
        final Map<String, ReferralParties> parties = new HashMap<>();
        final Map<String, ReferralParties> partiesToSave = new LinkedHashMap<>();
        final Map<String, Set<String>> referralsOfLearners = new LinkedHashMap<>();
        /** The learner ids (as routed, so not those pseudonymised) this batch wrote, with their referrals. */
        final Map<String, Set<String>> learnersWritten = new HashMap<>();
    }

    private final ThreadLocal<Batch> batch = new ThreadLocal<>();

    private String currentLearner(String learnerId) {
        Batch read = batch.get();
        if (read == null || learnerId == null) {
            return aliases.current(learnerId);
        }
        return read.currentLearners.containsKey(learnerId) ? read.currentLearners.get(learnerId)
                : aliases.current(learnerId);
    }

    private ReferralParties knownParties(String referralId) {
        Batch read = batch.get();
        return read != null && read.parties.containsKey(referralId) ? read.parties.get(referralId)
                : mongo.findById(referralId, ReferralParties.class);
    }

    private void remember(ReferralParties parties, boolean submitted) {
        Batch held = batch.get();
        if (held == null) {
            parties.saveTo(mongo);
            // Listed under its learner once, when it is made (one write more per referral, not per event).
            if (submitted) {
                learners.addReferral(parties.learnerId(), parties.referralId());
            }
            return;
        }
        if (parties.learnerId() != null) {
            held.learnersWritten.computeIfAbsent(parties.learnerId(), learner -> new LinkedHashSet<>())
                    .add(parties.referralId());
        }
        ReferralParties merged = parties.after(held.partiesToSave.get(parties.referralId()));
        held.partiesToSave.put(parties.referralId(), merged);
        held.parties.put(parties.referralId(), merged);
        if (submitted && parties.learnerId() != null) {
            held.referralsOfLearners.computeIfAbsent(parties.learnerId(), learner -> new LinkedHashSet<>())
                    .add(parties.referralId());
        }
    }

    /** @return how many new webhook deliveries the event made */
    public int route(ReceivedEvent event, byte[] record) {
        if (!event.type().startsWith("org.pathways.referral.")) {
            log.debug("Not routing event {} of type {}", event.id(), event.type());
            return 0;
        }
        if (!ResourceId.FORMAT.matcher(event.id()).matches()) {
            throw new MalformedEventException("An event id outside the published id pattern");
        }
        JsonNode data = event.data(JsonNode.class);
        String referralId = idField(data, "referralId", event.subject());
        String referring = idField(data, "referringAgencyId", null);
        String receiving = idField(data, "receivingAgencyId", null);
        if ((referring == null || receiving == null) && referralId != null) {
            ReferralParties known = knownParties(referralId);
            if (known != null) {
                referring = referring != null ? referring : known.referringAgencyId();
                receiving = receiving != null ? receiving : known.receivingAgencyId();
            }
        }
        Set<String> concerned = new LinkedHashSet<>();
        concerned.add(referring);
        concerned.add(receiving);
        boolean overdue = OVERDUE.equals(event.type());
        if (overdue) {
            concerned.add(properties.coordinatorAgency());
        }
        concerned.remove(null);
        if (concerned.isEmpty()) {
            log.debug("Event {} of type {} names no agency and its referral is unknown: not routed", event.id(),
                    event.type());
            return 0;
        }

        // The webhooks first: an agency's system hears of the event as soon as its deliveries are open (each is
        // handed to the dispatcher at once), not after the feed, the people and the team have been told. The order
        // changes nothing else: every step is idempotent, and the event counts as done only once all have succeeded.
        String body = utf8(event, record);
        Batch held = batch.get();
        String named = idField(data, "learnerId", null);
        if (held != null && named != null) {
            held.learnersWritten.computeIfAbsent(named, learner -> new LinkedHashSet<>());
        }
        int made = fanOut.fanOut(event, concerned, body);
        // A referral of a learner merged away is remembered under the learner that carries the person on.
        String learnerNow = currentLearner(named);
        ReferralParties.of(referralId, learnerNow, referring, receiving)
                .ifPresent(parties -> remember(parties, event.is(EventType.REFERRAL_SUBMITTED)));
        concerned.forEach(agency -> feed.append(agency, event, body));
        tellPeople(event, referralId, receiving, overdue);
        team.referralChanged(event, referralId, data, named, this::currentLearner);
        return made;
    }

    /**
     * A referral that arrived or is overdue needs a person at the receiving agency: an in-app notification and
     * e-mails (to its workers who asked, else its contact address). The coordinator, who watches response times, is
     * told of an overdue one in the app, and by e-mail those of its workers who asked for overdue notices.
     */
    private void tellPeople(ReceivedEvent event, String referralId, String receiving, boolean overdue) {
        if (referralId == null || !tellsPeople(event)) {
            return;
        }
        NoticeKind kind = overdue ? NoticeKind.REFERRAL_OVERDUE : NoticeKind.REFERRAL_ARRIVED;
        if (receiving != null) {
            Notice notice = new Notice(kind, receiving, event.id(), referralId, event.time());
            workerInbox.add(notice);
            emails.queue(notice);
        }
        if (overdue) {
            Notice coordinator = new Notice(kind, properties.coordinatorAgency(), event.id(), referralId, event.time());
            workerInbox.add(coordinator);
            emails.queue(coordinator, false);
        }
    }

    /** A field of the event's data if it is an id; anything else (absent, not text, not id-shaped) is ignored. */
    static String idField(JsonNode data, String name, String otherwise) {
        JsonNode value = data == null ? null : data.get(name);
        if (value != null && value.isString() && ResourceId.FORMAT.matcher(value.asString()).matches()) {
            return value.asString();
        }
        return otherwise != null && ResourceId.FORMAT.matcher(otherwise).matches() ? otherwise : null;
    }

    static String utf8(ReceivedEvent event, byte[] record) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(record)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedEventException("Event " + event.id() + " is not UTF-8 JSON");
        }
    }
}
