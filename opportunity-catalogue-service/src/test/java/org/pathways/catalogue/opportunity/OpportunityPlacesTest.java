package org.pathways.catalogue.opportunity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.events.opportunity.OpportunityUpdated;
import org.pathways.platform.problem.ProblemException;

class OpportunityPlacesTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");

    private static Opportunity published(Integer capacity) {
        Opportunity opportunity = Opportunity.draft(new DraftOpportunity("Level 1 Maths", "", OpportunityKind
                .FORMAL_LEARNING, "L1", capacity), "agency-college", "admin-1", NOW);
        opportunity.publish(NOW);
        return opportunity;
    }

    private static OpportunityPlacesChanged announced(Change<OpportunityPlacesChanged> change) {
        assertThat(change.changed()).isTrue();
        assertThat(change.events()).hasSize(1);
        return change.events().getFirst();
    }

    private static Change<OpportunityPlacesChanged> take(Opportunity opportunity, String referralId) {
        return opportunity.takePlace(referralId, referralId + ":TAKING", NOW);
    }

    private static Change<OpportunityPlacesChanged> release(Opportunity opportunity, String referralId) {
        return opportunity.releasePlace(referralId, referralId + ":RELEASING", NOW);
    }

    @Test
    void eachPlaceChangeIsCountedOnceAndFullFollowsCapacity() {
        Opportunity opportunity = published(2);

        assertThat(announced(take(opportunity, "ref-1")).placesTaken()).isEqualTo(1);
        assertThat(take(opportunity, "ref-1").changed()).as("the same change again: not counted twice").isFalse();
        OpportunityPlacesChanged second = announced(take(opportunity, "ref-2"));

        assertThat(second.placesTaken()).isEqualTo(2);
        assertThat(second.status()).isEqualTo("FULL");
        assertThat(second.referralId()).isEqualTo("ref-2");
        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.FULL);
        assertThat(announced(take(opportunity, "ref-3")).placesTaken()).as("beyond capacity, recorded")
                .isEqualTo(3);
        assertThat(opportunity.placesLeft()).isZero();

        release(opportunity, "ref-3");
        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.FULL);
        assertThat(announced(release(opportunity, "ref-1")).status()).isEqualTo("PUBLISHED");
        assertThat(release(opportunity, "ref-1").changed()).isFalse();
        assertThat(opportunity.placesTaken()).isEqualTo(1);
    }

    @Test
    void aChangeIsRememberedUntilItsHoldingIsSettledAndThenForgotten() {
        Opportunity opportunity = published(1);
        announced(take(opportunity, "ref-1"));
        announced(release(opportunity, "ref-1"));
        assertThat(opportunity.placeChangesInFlight()).containsExactly("ref-1:TAKING", "ref-1:RELEASING");

        Change<OpportunityPlacesChanged> forgotten = opportunity.forgetPlaceChange("ref-1:TAKING");
        assertThat(forgotten.changed()).as("saved, announcing nothing").isTrue();
        assertThat(forgotten.events()).isEmpty();
        assertThat(opportunity.forgetPlaceChange("ref-1:TAKING").changed()).isFalse();
        assertThat(opportunity.placeChangesInFlight()).containsExactly("ref-1:RELEASING");
        assertThat(release(opportunity, "ref-2").events().getFirst().placesTaken()).as("never below zero").isZero();
        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.PUBLISHED);
    }

    @Test
    void routesOnAPublishedOpportunityAnnounceTheFullListAndOnADraftNothing() {
        Opportunity draft = Opportunity.draft(new DraftOpportunity("Entry 2 English", "", OpportunityKind
                .FORMAL_LEARNING, "E2", null), "agency-college", "admin-1", NOW);
        Change<OpportunityUpdated> onDraft = draft.leadOnTo("opp-l1", NOW);
        assertThat(onDraft.changed()).isTrue();
        assertThat(onDraft.events()).isEmpty();
        assertThat(draft.publish(NOW).leadsTo()).containsExactly("opp-l1");

        assertThat(draft.leadOnTo("opp-l2", NOW).events().getFirst().leadsTo()).containsExactly("opp-l1", "opp-l2");
        assertThat(draft.leadOnTo("opp-l2", NOW).changed()).as("a repeat").isFalse();
        assertThat(draft.removeRoute("opp-l1", NOW).events().getFirst().leadsTo()).containsExactly("opp-l2");
        assertThat(draft.removeRoute("opp-l1", NOW).changed()).isFalse();
        assertThat(draft.removeRoute("opp-l2", NOW).events().getFirst().leadsTo()).isEmpty();
    }

    @Test
    void unlimitedPlacesNeverFillAndARevisedCapacityCanFillOrReopen() {
        Opportunity unlimited = published(null);
        for (int i = 0; i < 50; i++) {
            take(unlimited, "ref-" + i);
        }
        assertThat(unlimited.status()).isEqualTo(OpportunityStatus.PUBLISHED);

        Opportunity limited = published(5);
        take(limited, "ref-1");
        assertThat(limited.revise(new DraftOpportunity("Level 1 Maths", "", OpportunityKind.FORMAL_LEARNING, "L1", 1),
                NOW).orElseThrow().status()).isEqualTo("FULL");
        assertThat(limited.revise(new DraftOpportunity("Level 1 Maths", "", OpportunityKind.FORMAL_LEARNING, "L1", 3),
                NOW).orElseThrow().status()).isEqualTo("PUBLISHED");
    }

    @Test
    void aDraftRevisionAnnouncesNothingAndEndedOnesNoLongerChange() {
        Opportunity draft = Opportunity.draft(new DraftOpportunity("Maths", "", OpportunityKind.FORMAL_LEARNING,
                null, null), "agency-college", "admin-1", NOW);
        assertThat(draft.revise(new DraftOpportunity("Maths 2", "", OpportunityKind.FORMAL_LEARNING, null, null),
                NOW)).isEmpty();
        assertThat(draft.title()).isEqualTo("Maths 2");
        assertThatThrownBy(() -> take(draft, "ref-1")).as("nobody is referred to a draft")
                .isInstanceOf(ProblemException.class);

        Opportunity ended = published(5);
        assertThat(ended.end(NOW).status()).isEqualTo("ENDED");
        assertThatThrownBy(() -> ended.revise(ended.details(), NOW)).isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> ended.leadOnTo(ended.id(), NOW)).isInstanceOf(ProblemException.class);
    }

    @Test
    void searchTextFoldsCaseAccentsPluralsAndCommonWords() {
        assertThat(SearchText.tokens("The Courses in Café English, for Adults!"))
                .containsExactly("course", "cafe", "english", "adult");
        assertThat(SearchText.tokens("class")).containsExactly("class");
        assertThat(QualificationLevel.L1.stepsAbove(QualificationLevel.E3)).isEqualTo(1);
        assertThat(Venue.kilometresBetween(53.7997, -1.5492, 53.9600, -1.0873)).isBetween(34.0, 36.0);
    }
}
