package org.pathways.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pathways.notification.LearnerEvents.agencyEvent;
import static org.pathways.notification.LearnerEvents.consent;
import static org.pathways.notification.LearnerEvents.kindConsent;
import static org.pathways.notification.LearnerEvents.learnerEvent;
import static org.pathways.notification.LearnerEvents.milestone;
import static org.pathways.notification.LearnerEvents.now;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.events.agency.AgencyKind;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.MongoQueryLog;
import org.pathways.testing.WebhookReceiver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/** A learner's milestones go only to the agencies the learner consented to share outcomes with; erasure is honoured. */
class LearnerRoutingTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    AgencyKinds agencyKinds;
    @Autowired
    MongoQueryLog queries;

    @AfterEach
    void recordWebThreadsAgain() {
        queries.recordOn(MongoQueryLog.WEB_THREADS);
    }

    /**
     * Issue 14: the embedded store serves only {@code _id} and unique indexes, so a milestone's look-up of the
     * learner's consents and referrals by their {@code learnerId} read the whole collections. Now the learner's record
     * lists them and every read of the four collections is by {@code _id} alone (read off the wire).
     */
    @Test
    void aMilestoneFindsTheLearnersConsentsAndReferralsByIdOnly() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("fe-college");
        String council = AgencyFeedTest.agency("council");
        String recorder = AgencyFeedTest.agency("adult-ed");
        try (ReferralEvents events = new ReferralEvents()) {
            events.publish(agencyEvent("org.pathways.agency.registered.v1", college, "COLLEGE", "registeredAt"));
            OutboxEntry referral = ReferralEvents.submitted("ref-" + UUID.randomUUID(), learner, council, college);
            OutboxEntry kindConsent = kindConsent("org.pathways.learner.consent-granted.v1", learner,
                    "cns-" + UUID.randomUUID(), "COLLEGE");
            OutboxEntry consent = consent("org.pathways.learner.consent-granted.v1", learner,
                    "cns-" + UUID.randomUUID(), council, "OUTCOME_SHARING");
            for (OutboxEntry event : List.of(referral, kindConsent, consent)) {
                events.publish(event);
            }
            await().atMost(PATIENCE).until(() -> handled(referral.eventId()) && handled(kindConsent.eventId())
                    && handled(consent.eventId()) && agencyKinds.kindOf(college).isPresent());
            queries.clear();
            queries.recordOn(MongoQueryLog.SERVICE_THREADS);

            OutboxEntry milestone = milestone(learner, recorder);
            events.publish(milestone);
            await().atMost(PATIENCE).until(() -> handled(milestone.eventId()));
            queries.recordOn(MongoQueryLog.WEB_THREADS);

            for (String agency : List.of(college, council, recorder)) {
                assertThat(feedEventIds(agency)).as(agency).contains(milestone.eventId());
            }
            Set<String> learnerCollections = Set.of("learner_records", "learner_consents", "referral_parties",
                    "learner_aliases");
            List<MongoQueryLog.Read> reads = queries.reads().stream()
                    .filter(read -> learnerCollections.contains(read.collection())).toList();
            assertThat(reads).extracting(MongoQueryLog.Read::collection)
                    .contains("learner_records", "learner_consents", "referral_parties");
            assertThat(reads).allSatisfy(read -> assertThat(read.filter().keySet()).as(read.toString())
                    .containsExactly("_id"));
        }
    }

    @Test
    void aMilestoneGoesToTheAgenciesWithAnOutcomeSharingConsentAndTheOneThatRecordedIt() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String council = AgencyFeedTest.agency("council");
        String housing = AgencyFeedTest.agency("housing");
        String recorder = AgencyFeedTest.agency("adult-ed");
        try (ReferralEvents events = new ReferralEvents()) {
            String withdrawn = "cns-" + UUID.randomUUID();
            for (OutboxEntry event : List.of(
                    consent("org.pathways.learner.consent-granted.v1", learner, "cns-" + UUID.randomUUID(), college,
                            "OUTCOME_SHARING"),
                    consent("org.pathways.learner.consent-granted.v1", learner, "cns-" + UUID.randomUUID(), council,
                            "REFERRAL_SHARING"),
                    consent("org.pathways.learner.consent-granted.v1", learner, withdrawn, housing, "OUTCOME_SHARING"),
                    consent("org.pathways.learner.consent-withdrawn.v1", learner, withdrawn, housing,
                            "OUTCOME_SHARING"))) {
                events.publish(event);
            }
            OutboxEntry milestone = milestone(learner, recorder);

            events.publish(milestone);

            for (String agency : List.of(college, recorder)) {
                await().atMost(PATIENCE).until(() -> feedEventIds(agency).contains(milestone.eventId()));
            }
            // Same learner, same partition: the consents were all applied before the milestone was routed; handled,
            // its routing is over.
            await().atMost(PATIENCE).until(() -> handled(milestone.eventId()));
            assertThat(feedEventIds(council)).isEmpty();
            assertThat(feedEventIds(housing)).as("a withdrawn consent no longer counts").isEmpty();
        }
    }

    /**
     * A consent's grant whose inbox mark was lost (a crash after its effect) comes again after its withdrawal was
     * applied: with the event id in the same write as the consent, it writes nothing, so the withdrawal stands.
     */
    @Test
    void aConsentGrantDeliveredAgainAfterACrashIsAppliedOnce() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String consentId = "cns-" + UUID.randomUUID();
        String housing = AgencyFeedTest.agency("housing");
        try (ReferralEvents events = new ReferralEvents()) {
            OutboxEntry granted = consent("org.pathways.learner.consent-granted.v1", learner, consentId, housing,
                    "OUTCOME_SHARING");
            OutboxEntry withdrawn = consent("org.pathways.learner.consent-withdrawn.v1", learner, consentId, housing,
                    "OUTCOME_SHARING");
            events.publish(granted);
            events.publish(withdrawn);
            await().atMost(PATIENCE).until(() -> handled(withdrawn.eventId()));
            Query byId = Query.query(Criteria.where("_id").is(consentId));
            assertThat(mongo.findOne(byId, Document.class, "learner_consents").getBoolean("active")).isFalse();

            mongo.remove(Query.query(Criteria.where("_id").is("learner-events:" + granted.eventId())), "inbox");
            events.publish(granted);
            await().atMost(PATIENCE).until(() -> handled(granted.eventId()));

            Document consent = mongo.findOne(byId, Document.class, "learner_consents");
            assertThat(consent.getBoolean("active")).as("the withdrawal stands").isFalse();
            assertThat(consent.getList("appliedEvents", String.class))
                    .containsExactly(granted.eventId(), withdrawn.eventId());
        }
    }

    @Test
    void aMilestoneSharedWithAnAgencyKindGoesOnlyToAgenciesOfThatKindPartyToTheLearnersReferrals() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String becameCollege = AgencyFeedTest.agency("adult-ed");
        String council = AgencyFeedTest.agency("council");
        String housing = AgencyFeedTest.agency("housing");
        String otherCollege = AgencyFeedTest.agency("college-elsewhere");
        String recorder = AgencyFeedTest.agency("jobcentre");
        String marker = AgencyFeedTest.agency("marker");
        try (ReferralEvents events = new ReferralEvents()) {
            for (var agency : Map.of(college, "COLLEGE", becameCollege, "COMMUNITY_GROUP", council, "COUNCIL",
                    housing, "HOUSING", otherCollege, "COLLEGE", recorder, "JOB_CENTRE").entrySet()) {
                events.publish(agencyEvent("org.pathways.agency.registered.v1", agency.getKey(), agency.getValue(),
                        "registeredAt"));
            }
            events.publish(agencyEvent("org.pathways.agency.updated.v1", becameCollege, "COLLEGE", "updatedAt"));
            // The learner's referrals: the council to the college, and housing to the (now) college.
            OutboxEntry first = ReferralEvents.submitted("ref-" + UUID.randomUUID(), learner, council, college);
            OutboxEntry second = ReferralEvents.submitted("ref-" + UUID.randomUUID(), learner, housing,
                    becameCollege);
            events.publish(first);
            events.publish(second);
            // The three topics are consumed independently: wait for the read models the milestone depends on.
            await().atMost(PATIENCE).until(() -> feedEventIds(college).contains(first.eventId())
                    && feedEventIds(becameCollege).contains(second.eventId()));
            await().atMost(PATIENCE).until(() -> mongo.count(Query.query(Criteria.where("_id").is(becameCollege)
                    .and("kind").is("COLLEGE")), "agency_kinds") == 1 && mongo.count(Query.query(Criteria
                    .where("_id").in(college, council, housing, otherCollege, recorder)), "agency_kinds") == 5);
            String consent = "cns-" + UUID.randomUUID();
            events.publish(kindConsent("org.pathways.learner.consent-granted.v1", learner, consent, "COLLEGE"));
            OutboxEntry milestone = milestone(learner, recorder);

            events.publish(milestone);
            // Same learner, same partition: once the marker is routed, so was the milestone, everywhere.
            OutboxEntry afterIt = milestone(learner, marker);
            events.publish(afterIt);

            await().atMost(PATIENCE).until(() -> feedEventIds(marker).contains(afterIt.eventId()));
            for (String agency : List.of(college, becameCollege, recorder)) {
                assertThat(feedEventIds(agency)).as(agency).contains(milestone.eventId());
            }
            assertThat(feedEventIds(council)).as("party, but not a college").doesNotContain(milestone.eventId());
            assertThat(feedEventIds(housing)).as("party, but not a college").doesNotContain(milestone.eventId());
            assertThat(feedEventIds(otherCollege)).as("a college, but not party").isEmpty();

            // Withdrawn, the kind consent no longer counts.
            events.publish(kindConsent("org.pathways.learner.consent-withdrawn.v1", learner, consent, "COLLEGE"));
            OutboxEntry later = milestone(learner, recorder);
            events.publish(later);
            OutboxEntry afterLater = milestone(learner, marker);
            events.publish(afterLater);
            await().atMost(PATIENCE).until(() -> feedEventIds(marker).contains(afterLater.eventId()));
            assertThat(feedEventIds(recorder)).contains(later.eventId());
            assertThat(feedEventIds(college)).doesNotContain(later.eventId());
            // What the kind consent let the colleges hear of is taken back; their referrals' events stay.
            assertThat(feedEventIds(college)).doesNotContain(milestone.eventId()).contains(first.eventId());
            assertThat(feedEventIds(becameCollege)).doesNotContain(milestone.eventId()).contains(second.eventId());
            assertThat(feedEventIds(recorder)).as("its own milestone").contains(milestone.eventId());
        }
    }

    @Test
    void anAgencyOfAKindThisVersionDoesNotKnowIsKnownWithNoKindUntilAnUpdateNamesAKnownOne() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String newcomer = AgencyFeedTest.agency("newkind");
        String council = AgencyFeedTest.agency("council");
        String recorder = AgencyFeedTest.agency("jobcentre");
        String marker = AgencyFeedTest.agency("marker");
        try (ReferralEvents events = new ReferralEvents()) {
            // As a newer catalogue would announce it: a kind this version has no name for.
            OutboxEntry registered = agencyEvent("org.pathways.agency.registered.v1", newcomer, "HOUSING_ASSOCIATION",
                    "registeredAt");
            OutboxEntry referral = ReferralEvents.submitted("ref-" + UUID.randomUUID(), learner, council, newcomer);
            OutboxEntry consent = kindConsent("org.pathways.learner.consent-granted.v1", learner,
                    "cns-" + UUID.randomUUID(), "HOUSING");
            for (OutboxEntry event : List.of(registered, referral, consent)) {
                events.publish(event);
            }
            await().atMost(PATIENCE).until(() -> handled(registered.eventId()) && handled(referral.eventId())
                    && handled(consent.eventId()));
            assertThat(agencyKinds.find(newcomer)).as("consumed and kept, not ignored").hasValueSatisfying(agency -> {
                assertThat(agency.kindUnknown()).isTrue();
                assertThat(agency.reportedKind()).isEqualTo("HOUSING_ASSOCIATION");
            });
            OutboxEntry milestone = milestone(learner, recorder);
            events.publish(milestone);
            OutboxEntry afterIt = milestone(learner, marker);
            events.publish(afterIt);
            await().atMost(PATIENCE).until(() -> feedEventIds(marker).contains(afterIt.eventId()));
            assertThat(feedEventIds(newcomer)).as("party, but of no kind the consent names")
                    .doesNotContain(milestone.eventId());

            OutboxEntry updated = agencyEvent("org.pathways.agency.updated.v1", newcomer, "HOUSING", "updatedAt");
            events.publish(updated);
            await().atMost(PATIENCE).until(() -> handled(updated.eventId()));
            assertThat(agencyKinds.kindOf(newcomer)).contains(AgencyKind.HOUSING);
            OutboxEntry later = milestone(learner, recorder);
            events.publish(later);

            await().atMost(PATIENCE).until(() -> feedEventIds(newcomer).contains(later.eventId()));
        }
    }

    @Test
    void afterAMergeTheSurvivorsMilestonesReachTheAgenciesTheRetiredRecordConsentedToOrWasReferredBy()
            throws Exception {
        String retired = "lrn-" + UUID.randomUUID();
        String survivor = "lrn-" + UUID.randomUUID();
        String college = AgencyFeedTest.agency("college");
        String kindCollege = AgencyFeedTest.agency("fe-college");
        String council = AgencyFeedTest.agency("council");
        String late = AgencyFeedTest.agency("housing");
        String recorder = AgencyFeedTest.agency("jobcentre");
        try (ReferralEvents events = new ReferralEvents()) {
            events.publish(agencyEvent("org.pathways.agency.registered.v1", kindCollege, "COLLEGE", "registeredAt"));
            events.publish(agencyEvent("org.pathways.agency.registered.v1", council, "COUNCIL", "registeredAt"));
            // Under the retired id: a consent for the college, and a referral from the council to a college.
            OutboxEntry consent = consent("org.pathways.learner.consent-granted.v1", retired,
                    "cns-" + UUID.randomUUID(), college, "OUTCOME_SHARING");
            OutboxEntry referral = ReferralEvents.submitted("ref-" + UUID.randomUUID(), retired, council,
                    kindCollege);
            // Under the survivor: a consent for every college it deals with.
            OutboxEntry kindConsent = kindConsent("org.pathways.learner.consent-granted.v1", survivor,
                    "cns-" + UUID.randomUUID(), "COLLEGE");
            for (OutboxEntry event : List.of(consent, referral, kindConsent)) {
                events.publish(event);
            }
            await().atMost(PATIENCE).until(() -> handled(consent.eventId()) && handled(referral.eventId())
                    && handled(kindConsent.eventId()) && mongo.count(Query.query(Criteria.where("_id")
                    .in(kindCollege, council)), "agency_kinds") == 2);

            OutboxEntry merge = ReferralEvents.merged(retired, survivor);
            events.publish(merge);
            events.publish(merge);                         // redelivered: the same event again
            OutboxEntry replayed = ReferralEvents.merged(retired, survivor);
            events.publish(replayed);                      // published again under a new id: applied again
            // After the merge, a consent event still naming the retired id lands on the survivor.
            OutboxEntry lateConsent = consent("org.pathways.learner.consent-granted.v1", retired,
                    "cns-" + UUID.randomUUID(), late, "OUTCOME_SHARING");
            events.publish(lateConsent);
            await().atMost(PATIENCE).until(() -> handled(merge.eventId()) && handled(replayed.eventId())
                    && handled(lateConsent.eventId()));
            assertThat(mongo.count(Query.query(Criteria.where("learnerId").is(retired)), "learner_consents"))
                    .as("nothing left under the retired id").isZero();
            assertThat(mongo.count(Query.query(Criteria.where("learnerId").is(survivor)), "learner_consents"))
                    .isEqualTo(3);
            assertThat(mongo.count(Query.query(Criteria.where("learnerId").is(survivor)), "referral_parties"))
                    .isEqualTo(1);

            OutboxEntry milestone = milestone(survivor, recorder);
            events.publish(milestone);

            await().atMost(PATIENCE).until(() -> feedEventIds(recorder).contains(milestone.eventId())
                    && handled(milestone.eventId()));
            for (String agency : List.of(college, kindCollege, late)) {
                assertThat(feedEventIds(agency)).as(agency).contains(milestone.eventId());
            }
            assertThat(feedEventIds(council)).as("party, but not a college").doesNotContain(milestone.eventId());
        }
    }

    @Test
    void anErasedLearnersIdIsPseudonymisedInTheCopiesOfEventsKeptHere() throws Exception {
        String college = AgencyFeedTest.agency("college");
        try (WebhookReceiver receiver = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            receiver.otherwiseAnswer(500);
            subscribe(college, receiver.url(), SUBMITTED);
            OutboxEntry submitted = ReferralEvents.submitted("agency-council", college);
            String learner = JSON.readTree(submitted.data()).get("learnerId").asString();
            events.publish(submitted);
            await().atMost(PATIENCE).until(() -> feedEventIds(college).contains(submitted.eventId())
                    && copies("deliveries", "body", submitted.eventId()).stream().allMatch(b -> b.contains(learner))
                    && !copies("deliveries", "body", submitted.eventId()).isEmpty());

            events.publish(learnerEvent("org.pathways.learner.erased.v1", learner,
                    Map.of("registeringAgencyId", "agency-council", "erasedAt", now())));

            await().atMost(PATIENCE).untilAsserted(() -> {
                List<String> copies = new java.util.ArrayList<>(copies("feed", "event", submitted.eventId()));
                copies.addAll(copies("deliveries", "body", submitted.eventId()));
                // The feeds of both agencies, and the college's webhook delivery.
                assertThat(copies).hasSize(3).allSatisfy(copy -> assertThat(copy).doesNotContain(learner)
                        .contains("\"learnerId\":\"erased\""));
            });
        }
    }

    /**
     * A withdrawn consent takes back what it let an agency hear of the learner: the milestone leaves the council's
     * feed, and its parked webhook delivery loses its body and is never sent again; the college, whose own consent to
     * share outcomes stands, and the recorder keep theirs. The withdrawal's inbox mark proves it was consumed.
     */
    @Test
    void aWithdrawnConsentTakesTheLearnersMilestonesOutOfTheFeedAndParkedDeliveriesOfTheAgencyItCovered()
            throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String council = AgencyFeedTest.agency("council");
        String college = AgencyFeedTest.agency("college");
        String recorder = AgencyFeedTest.agency("adult-ed");
        String councilConsent = "cns-" + UUID.randomUUID();
        String milestoneType = "org.pathways.learner.milestone-recorded.v1";
        try (WebhookReceiver receiver = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            receiver.otherwiseAnswer(500);
            subscribe(council, receiver.url(), milestoneType);
            events.publish(consent("org.pathways.learner.consent-granted.v1", learner, councilConsent, council,
                    "OUTCOME_SHARING"));
            events.publish(consent("org.pathways.learner.consent-granted.v1", learner, "cns-" + UUID.randomUUID(),
                    college, "OUTCOME_SHARING"));
            OutboxEntry milestone = milestone(learner, recorder);
            events.publish(milestone);
            await().atMost(PATIENCE).until(() -> feedEventIds(council).contains(milestone.eventId())
                    && deliveriesOf(council, milestone.eventId()).stream()
                    .anyMatch(d -> d.get("status").asString().equals("PARKED")));
            String deliveryId = deliveriesOf(council, milestone.eventId()).getFirst().get("id").asString();
            int sent = receiver.count();

            OutboxEntry withdrawn = consent("org.pathways.learner.consent-withdrawn.v1", learner, councilConsent,
                    council, "OUTCOME_SHARING");
            events.publish(withdrawn);
            await().atMost(PATIENCE).until(() -> handled(withdrawn.eventId()));

            assertThat(feedEventIds(council)).as("no longer shared with the council").doesNotContain(
                    milestone.eventId());
            assertThat(feedEventIds(college)).as("the college's own consent stands").contains(milestone.eventId());
            assertThat(feedEventIds(recorder)).as("the recorder's own milestone").contains(milestone.eventId());
            JsonNode delivery = deliveriesOf(council, milestone.eventId()).getFirst();
            assertThat(delivery.get("status").asString()).isEqualTo("CANCELLED");
            assertThat(delivery.has("withheldAt")).isTrue();
            assertThat(copies("deliveries", "body", milestone.eventId())).singleElement()
                    .satisfies(body -> assertThat(body).doesNotContain(learner, "ENROLLED"));
            HttpResponse<String> again = call("POST", "/api/deliveries/" + deliveryId + "/redeliver", admin(council),
                    null);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
            assertThat(json(again).get("type").asString()).endsWith("delivery-withheld");
            assertThat(json(call("POST", "/api/deliveries/redeliver-parked", admin(council), null))
                    .get("redelivered").asInt()).isZero();
            assertThat(receiver.count()).as("nothing sent after the withdrawal").isEqualTo(sent);

            // The council's feed goes on past the place the milestone left.
            OutboxEntry referral = ReferralEvents.submitted("ref-" + UUID.randomUUID(), learner, recorder, council);
            events.publish(referral);
            await().atMost(PATIENCE).until(() -> feedEventIds(council).contains(referral.eventId()));
        }
    }

    /**
     * A consent for an agency kind covers an agency only while it is of that kind. An agency the platform
     * administrator moved from COLLEGE to COUNCIL loses what only the consent for colleges let it hear: its feed
     * entry of the milestone is emptied, its parked delivery withheld (409 delivery-withheld, never sent), and it hears
     * nothing new. A college that stays a college keeps everything; an agency with a consent of its own, the one that
     * recorded the milestone, and the same agency for a learner who also consented for councils keep theirs. The
     * kind change's inbox mark proves it was consumed; delivered again, or replayed, it takes nothing more.
     */
    @Test
    void anAgencyWhoseKindChangedNoLongerHearsWhatAConsentForItsFormerKindLetItHear() throws Exception {
        String learner = "lrn-" + UUID.randomUUID();
        String bothKinds = "lrn-" + UUID.randomUUID();
        String changed = AgencyFeedTest.agency("college");
        String stays = AgencyFeedTest.agency("fe-college");
        String ownConsent = AgencyFeedTest.agency("sixth-form");
        String recorder = AgencyFeedTest.agency("adult-ed");
        String registrar = AgencyFeedTest.agency("college-registrar");
        String referrer = AgencyFeedTest.agency("jobcentre");
        String marker = AgencyFeedTest.agency("marker");
        String milestoneType = "org.pathways.learner.milestone-recorded.v1";
        try (WebhookReceiver receiver = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            receiver.otherwiseAnswer(500);
            subscribe(changed, receiver.url(), milestoneType);
            List<OutboxEntry> setUp = new java.util.ArrayList<>();
            for (String college : List.of(changed, stays, ownConsent, recorder, registrar)) {
                setUp.add(agencyEvent("org.pathways.agency.registered.v1", college, "COLLEGE", "registeredAt"));
                setUp.add(ReferralEvents.submitted("ref-" + UUID.randomUUID(), learner, referrer, college));
            }
            setUp.add(agencyEvent("org.pathways.agency.registered.v1", referrer, "JOB_CENTRE", "registeredAt"));
            setUp.add(learnerEvent("org.pathways.learner.registered.v1", learner, Map.of(
                    "registeringAgencyId", registrar, "localityCode", "CF10", "registeredAt", now())));
            setUp.add(ReferralEvents.submitted("ref-" + UUID.randomUUID(), bothKinds, referrer, changed));
            setUp.add(kindConsent("org.pathways.learner.consent-granted.v1", learner, "cns-" + UUID.randomUUID(),
                    "COLLEGE"));
            setUp.add(consent("org.pathways.learner.consent-granted.v1", learner, "cns-" + UUID.randomUUID(),
                    ownConsent, "OUTCOME_SHARING"));
            setUp.add(kindConsent("org.pathways.learner.consent-granted.v1", bothKinds, "cns-" + UUID.randomUUID(),
                    "COLLEGE"));
            setUp.add(kindConsent("org.pathways.learner.consent-granted.v1", bothKinds, "cns-" + UUID.randomUUID(),
                    "COUNCIL"));
            for (OutboxEntry event : setUp) {
                events.publish(event);
            }
            // The three topics are consumed independently: wait for the read models the milestones depend on.
            await().atMost(PATIENCE).until(() -> setUp.stream().allMatch(event -> handled(event.eventId())));
            OutboxEntry milestone = milestone(learner, recorder);
            OutboxEntry sharedWithBoth = milestone(bothKinds, referrer);
            events.publish(milestone);
            events.publish(sharedWithBoth);
            await().atMost(PATIENCE).until(() -> feedEventIds(changed).containsAll(List.of(milestone.eventId(),
                    sharedWithBoth.eventId())) && deliveriesOf(changed, milestone.eventId()).stream()
                    .anyMatch(d -> d.get("status").asString().equals("PARKED")) && deliveriesOf(changed,
                    sharedWithBoth.eventId()).stream().anyMatch(d -> d.get("status").asString().equals("PARKED")));
            for (String agency : List.of(stays, ownConsent, recorder, registrar)) {
                assertThat(feedEventIds(agency)).as(agency).contains(milestone.eventId());
            }
            String deliveryId = deliveriesOf(changed, milestone.eventId()).getFirst().get("id").asString();
            int sent = receiver.count();

            List<OutboxEntry> kindChanges = List.of(
                    agencyEvent("org.pathways.agency.updated.v1", changed, "COUNCIL", "updatedAt"),
                    agencyEvent("org.pathways.agency.updated.v1", ownConsent, "COUNCIL", "updatedAt"),
                    agencyEvent("org.pathways.agency.updated.v1", recorder, "COUNCIL", "updatedAt"),
                    agencyEvent("org.pathways.agency.updated.v1", registrar, "COUNCIL", "updatedAt"));
            for (OutboxEntry event : kindChanges) {
                events.publish(event);
            }
            await().atMost(PATIENCE).until(() -> kindChanges.stream().allMatch(event -> handled(event.eventId())));
            assertThat(agencyKinds.kindOf(changed)).contains(AgencyKind.COUNCIL);

            assertThat(feedEventIds(changed)).as("no longer a college").doesNotContain(milestone.eventId())
                    .as("the learner's consent for councils covers it now").contains(sharedWithBoth.eventId());
            assertThat(feedEventIds(stays)).as("still a college").contains(milestone.eventId());
            assertThat(feedEventIds(ownConsent)).as("its own consent").contains(milestone.eventId());
            assertThat(feedEventIds(recorder)).as("its own milestone").contains(milestone.eventId());
            assertThat(feedEventIds(registrar)).as("it registered the learner").contains(milestone.eventId());
            JsonNode delivery = deliveriesOf(changed, milestone.eventId()).getFirst();
            assertThat(delivery.get("status").asString()).isEqualTo("CANCELLED");
            assertThat(delivery.has("withheldAt")).isTrue();
            assertThat(deliveriesOf(changed, sharedWithBoth.eventId()).getFirst().get("status").asString())
                    .isEqualTo("PARKED");
            HttpResponse<String> again = call("POST", "/api/deliveries/" + deliveryId + "/redeliver",
                    admin(changed), null);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
            assertThat(json(again).get("type").asString()).endsWith("delivery-withheld");

            // It hears nothing new of the learner; the college that stayed one does.
            OutboxEntry later = milestone(learner, referrer);
            events.publish(later);
            OutboxEntry afterLater = milestone(learner, marker);
            events.publish(afterLater);
            await().atMost(PATIENCE).until(() -> feedEventIds(marker).contains(afterLater.eventId()));
            assertThat(feedEventIds(stays)).contains(later.eventId());
            assertThat(feedEventIds(changed)).doesNotContain(later.eventId());
            assertThat(receiver.count()).as("nothing sent after the kind change").isEqualTo(sent);

            // Delivered again, or replayed under a new id, the kind change takes nothing more.
            List<String> kept = feedEventIds(changed);
            OutboxEntry replayed = agencyEvent("org.pathways.agency.updated.v1", changed, "COUNCIL", "updatedAt");
            events.publish(kindChanges.getFirst());
            events.publish(replayed);
            await().atMost(PATIENCE).until(() -> handled(replayed.eventId()));
            assertThat(feedEventIds(changed)).isEqualTo(kept);
            assertThat(deliveriesOf(changed, sharedWithBoth.eventId()).getFirst().get("status").asString())
                    .isEqualTo("PARKED");
        }
    }

    private List<String> copies(String collection, String field, String eventId) {
        return mongo.find(Query.query(Criteria.where("eventId").is(eventId)), Document.class, collection).stream()
                .map(d -> d.getString(field)).toList();
    }

    private List<String> feedEventIds(String agency) throws Exception {
        return json(call("GET", "/api/feed", system(agency), null)).get("events").valueStream()
                .map(e -> e.get("event").get("id").asString()).toList();
    }
}
