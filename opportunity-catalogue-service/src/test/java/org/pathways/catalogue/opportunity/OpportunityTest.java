package org.pathways.catalogue.opportunity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityWithdrawn;
import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

class OpportunityTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");
    private static final String COLLEGE = "agency-college";

    private static Opportunity drafted(Integer capacity) {
        return Opportunity.draft(new DraftOpportunity(" ESOL Entry 2 ", "Tuesday mornings.",
                OpportunityKind.FORMAL_LEARNING, "E2", capacity), COLLEGE, "admin-1", NOW);
    }

    private static void assertIllegalTransition(Runnable action, OpportunityStatus current) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT);
            assertThat(e.kind()).isEqualTo("illegal-transition");
            assertThat(e.toProblemDetail().getProperties()).containsEntry("currentStatus", current.name());
        });
    }

    @Test
    void aNewOpportunityIsADraftOnlyItsProviderSees() {
        Opportunity opportunity = drafted(12);
        assertThat(opportunity.id()).matches("opp-[0-9a-f-]{36}");
        assertThat(opportunity.title()).isEqualTo("ESOL Entry 2");
        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.DRAFT);
        assertThat(opportunity.isVisibleTo(COLLEGE)).isTrue();
        assertThat(opportunity.isVisibleTo("agency-council")).isFalse();
        assertThat(opportunity.placesLeft()).isEqualTo(12);
    }

    @Test
    void publishingOpensItToEveryAgencyAndAnnouncesCodesNotText() {
        Opportunity opportunity = drafted(null);

        OpportunityPublished published = opportunity.publish(NOW);

        assertThat(published).isEqualTo(new OpportunityPublished(opportunity.id(), COLLEGE,
                OpportunityKind.FORMAL_LEARNING, "E2", null, 0, NOW));
        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.PUBLISHED);
        assertThat(opportunity.isVisibleTo("agency-council")).isTrue();
        assertThat(opportunity.placesLeft()).as("unlimited").isNull();
    }

    @Test
    void publishingTwiceIsRefusedWithTheCurrentStatus() {
        Opportunity opportunity = drafted(12);
        opportunity.publish(NOW);
        assertIllegalTransition(() -> opportunity.publish(NOW.plusSeconds(1)), OpportunityStatus.PUBLISHED);
        assertThat(opportunity.publishedAt()).isEqualTo(NOW);
    }

    @Test
    void onlyAPublishedOpportunityCanBeWithdrawnAndNeverRepublished() {
        Opportunity opportunity = drafted(12);
        assertIllegalTransition(() -> opportunity.withdraw(NOW), OpportunityStatus.DRAFT);

        opportunity.publish(NOW);
        OpportunityWithdrawn withdrawn = opportunity.withdraw(NOW.plusSeconds(60));

        assertThat(withdrawn).isEqualTo(new OpportunityWithdrawn(opportunity.id(), COLLEGE, NOW.plusSeconds(60)));
        assertThat(opportunity.isVisibleTo("agency-council")).as("still visible to referrals made").isTrue();
        assertIllegalTransition(() -> opportunity.withdraw(NOW.plusSeconds(120)), OpportunityStatus.WITHDRAWN);
        assertIllegalTransition(() -> opportunity.publish(NOW.plusSeconds(120)), OpportunityStatus.WITHDRAWN);
    }

    @Test
    void aTemporarilyClosedOpportunityTakesNoReferralsAndOpensAgainAsItsPlacesSay() {
        Opportunity opportunity = drafted(1);
        assertIllegalTransition(() -> opportunity.closeTemporarily(NOW), OpportunityStatus.DRAFT);
        opportunity.publish(NOW);
        opportunity.takePlace("ref-1", "ref-1:TAKING", NOW);
        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.FULL);

        OpportunityWithdrawn closed = opportunity.closeTemporarily(NOW.plusSeconds(60));

        assertThat(closed).as("other services learn it takes no referrals")
                .isEqualTo(new OpportunityWithdrawn(opportunity.id(), COLLEGE, NOW.plusSeconds(60)));
        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.TEMPORARILY_CLOSED);
        assertThat(opportunity.status().isListed()).isFalse();
        assertThat(opportunity.isVisibleTo("agency-council")).isTrue();
        assertThat(opportunity.releasePlace("ref-1", "ref-1:RELEASING", NOW.plusSeconds(90)).events())
                .extracting(e -> e.status()).as("closed, in the events' words").containsExactly("WITHDRAWN");
        assertThat(opportunity.status()).as("a released place does not open it").isEqualTo(
                OpportunityStatus.TEMPORARILY_CLOSED);
        assertIllegalTransition(() -> opportunity.closeTemporarily(NOW), OpportunityStatus.TEMPORARILY_CLOSED);

        OpportunityPublished reopened = opportunity.reopen(NOW.plusSeconds(120));

        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.PUBLISHED);
        assertThat(reopened.placesTaken()).isZero();
        assertThat(reopened.publishedAt()).as("first published then").isEqualTo(NOW);
        assertIllegalTransition(() -> opportunity.reopen(NOW), OpportunityStatus.PUBLISHED);
        // Closed for now, it can still be withdrawn or end for good.
        opportunity.closeTemporarily(NOW.plusSeconds(180));
        assertThat(opportunity.end(NOW.plusSeconds(240)).status()).isEqualTo("ENDED");
        assertIllegalTransition(() -> opportunity.reopen(NOW), OpportunityStatus.ENDED);
    }

    @Test
    void refusesDetailsThatBreakItsInvariants() {
        assertThatThrownBy(() -> Opportunity.draft(new DraftOpportunity("x".repeat(201), "", OpportunityKind.ADVICE,
                null, null), COLLEGE, "admin-1", NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Opportunity.draft(new DraftOpportunity("Advice", "", OpportunityKind.ADVICE,
                "L9", null), COLLEGE, "admin-1", NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Opportunity.draft(new DraftOpportunity("Advice", "", OpportunityKind.ADVICE,
                null, -1), COLLEGE, "admin-1", NOW)).isInstanceOf(IllegalArgumentException.class);
    }
}
