package org.pathways.notification.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Base64;
import java.util.List;

import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

class SubscriptionTest {

    @Test
    void aNewSubscriptionIsActiveWithAFreshStandardWebhooksSecret() throws Exception {
        Subscription one = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), Instant.now());
        Subscription two = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), Instant.now());

        assertThat(one.isActive()).isTrue();
        assertThat(one.id()).startsWith("sub-").isNotEqualTo(two.id());
        assertThat(one.secret()).startsWith("whsec_").isNotEqualTo(two.secret());
        assertThat(Base64.getDecoder().decode(one.secret().substring("whsec_".length()))).hasSize(24);
        new Webhook(one.secret());    // the library accepts it as it is
    }

    @Test
    void aRotatedSecretSignsNextToTheOldOneOnlyDuringTheGracePeriod() {
        Instant now = Instant.parse("2026-01-05T09:00:00Z");
        Subscription subscription = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), now);
        String old = subscription.secret();

        String fresh = subscription.rotateSecret(now, java.time.Duration.ofHours(24));

        assertThat(fresh).isNotEqualTo(old).isEqualTo(subscription.secret());
        assertThat(subscription.signingSecrets(now.plusSeconds(3600))).containsExactly(fresh, old);
        assertThat(subscription.signingSecrets(now.plus(java.time.Duration.ofHours(24)))).containsExactly(fresh);
        assertThat(subscription.previousSecretUntil(now.plus(java.time.Duration.ofHours(25)))).isNull();
    }

    @Test
    void aDisabledSubscriptionCannotBePausedOrResumed() {
        Subscription subscription = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), Instant.now());
        subscription.pause();
        assertThat(subscription.status()).isEqualTo(SubscriptionStatus.PAUSED);
        assertThat(subscription.takesDeliveries()).isTrue();
        subscription.resume();
        assertThat(subscription.isActive()).isTrue();
    }
}
