package org.pathways.notification.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Base64;
import java.util.List;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

class SubscriptionTest {

    private static final SecretKeyRing KEYS = LocalKeys.ring();

    @Test
    void aNewSubscriptionIsActiveWithAFreshStandardWebhooksSecret() throws Exception {
        Subscription one = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), Instant.now(), KEYS);
        Subscription two = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), Instant.now(), KEYS);

        assertThat(one.isActive()).isTrue();
        assertThat(one.id()).startsWith("sub-").isNotEqualTo(two.id());
        assertThat(one.issuedSecret()).startsWith("whsec_").isNotEqualTo(two.issuedSecret());
        assertThat(Base64.getDecoder().decode(one.issuedSecret().substring("whsec_".length()))).hasSize(24);
        new Webhook(one.issuedSecret());    // the library accepts it as it is
        // Kept only sealed: the stored form does not hold it.
        assertThat(one.sealedSecret().keyId()).isEqualTo("local-only");
        assertThat(one.sealedSecret().value()).doesNotContain(one.issuedSecret().substring("whsec_".length()));
        assertThat(KEYS.open(one.sealedSecret())).isEqualTo(one.issuedSecret());
    }

    @Test
    void aRotatedSecretSignsNextToTheOldOneOnlyDuringTheGracePeriod() {
        Instant now = Instant.parse("2026-01-05T09:00:00Z");
        Subscription subscription = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), now, KEYS);
        String old = subscription.issuedSecret();

        String fresh = subscription.rotateSecret(now, java.time.Duration.ofHours(24), KEYS);

        assertThat(fresh).isNotEqualTo(old).isEqualTo(subscription.issuedSecret());
        assertThat(subscription.signingSecrets(now.plusSeconds(3600), KEYS)).containsExactly(fresh, old);
        assertThat(subscription.signingSecrets(now.plus(java.time.Duration.ofHours(24)), KEYS))
                .containsExactly(fresh);
        assertThat(subscription.previousSecretUntil(now.plus(java.time.Duration.ofHours(25)))).isNull();
    }

    @Test
    void aDisabledSubscriptionCannotBePausedOrResumed() {
        Subscription subscription = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), Instant.now(), KEYS);
        subscription.pause();
        assertThat(subscription.status()).isEqualTo(SubscriptionStatus.PAUSED);
        assertThat(subscription.takesDeliveries()).isTrue();
        subscription.resume();
        assertThat(subscription.isActive()).isTrue();
    }
}
