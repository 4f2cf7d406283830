package org.pathways.notification.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.pathways.notification.subscription.EndpointPolicy;
import org.pathways.notification.subscription.LocalKeys;
import org.pathways.notification.subscription.Subscription;
import org.pathways.testing.WebhookReceiver;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * The SSRF check runs on the address actually connected to: the webhook client's only DNS lookup is the endpoint
 * policy's, so a host whose answer changes after the check (DNS rebinding) cannot lead a request to loopback. Real
 * HTTP to a receiver on loopback; the DNS answers are played by a resolver seam.
 */
class PinnedEndpointTest {

    private static final String TYPE = "org.pathways.referral.submitted.v1";
    private static final Instant NOW = Instant.now();
    private final RetrySchedule schedule = new RetrySchedule(List.of(Duration.ZERO, Duration.ofSeconds(5)), 0,
            Duration.ofHours(1));

    @Test
    void aHostNameThatResolvesToLoopbackIsRefusedAndNothingIsSentWhenPrivateAddressesAreNotAllowed() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String url = receiver.url().replace("127.0.0.1", "localhost");
            WebhookSender sender = sender(new EndpointPolicy(false));
            Delivery delivery = delivery(url);

            AttemptOutcome outcome = sender.send(delivery, subscription(url));
            delivery.record(outcome, schedule, NOW, new SplittableRandom(1));

            assertThat(outcome.statusCode()).isNull();
            assertThat(outcome.error()).isEqualTo("endpoint-not-allowed:non-public-address");
            assertThat(delivery.attempts()).singleElement()
                    .satisfies(a -> assertThat(a.error()).isEqualTo("endpoint-not-allowed:non-public-address"));
            assertThat(delivery.status()).isEqualTo(DeliveryStatus.PENDING);
            assertThat(receiver.count()).isZero();
        }
    }

    @Test
    void anIpLiteralOnLoopbackIsRefusedToo() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            AttemptOutcome outcome = sender(new EndpointPolicy(false)).send(delivery(receiver.url()),
                    subscription(receiver.url()));

            assertThat(outcome.error()).startsWith("endpoint-not-allowed");
            assertThat(receiver.count()).isZero();
        }
    }

    @Test
    void aHostThatPassedTheCheckAtRegistrationAndThenRebindsToLoopbackIsRefusedOnTheAttempt() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String url = receiver.url().replace("127.0.0.1", "hooks.rebinding.example");
            AtomicInteger lookups = new AtomicInteger();
            // The first answer (at registration) is public; from then on the attacker's DNS answers loopback.
            EndpointPolicy policy = new EndpointPolicy(false, host -> lookups.getAndIncrement() == 0
                    ? new InetAddress[] {InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34})}
                    : new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})});
            assertThat(policy.check(url)).isEqualTo(URI.create(url));

            AttemptOutcome outcome = sender(policy).send(delivery(url), subscription(url));

            assertThat(outcome.error()).isEqualTo("endpoint-not-allowed:non-public-address");
            assertThat(receiver.count()).isZero();
        }
    }

    @Test
    void aHostThatResolvesToAPublicAndAPrivateAddressIsRefusedWhole() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String url = receiver.url().replace("127.0.0.1", "hooks.mixed.example");
            // The client would try the addresses in turn: one bad answer among good ones refuses the host.
            EndpointPolicy policy = new EndpointPolicy(false, host -> new InetAddress[] {
                    InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34}),
                    InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})});

            AttemptOutcome outcome = sender(policy).send(delivery(url), subscription(url));

            assertThat(outcome.error()).isEqualTo("endpoint-not-allowed:non-public-address");
            assertThat(receiver.count()).isZero();
        }
    }

    @Test
    void theClientConnectsToTheAddressTheCheckResolvedWithNoSecondLookup() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            // A name no real DNS knows: the request can only get there through the policy's own answer.
            String url = receiver.url().replace("127.0.0.1", "hooks.agency.example");
            AtomicInteger lookups = new AtomicInteger();
            EndpointPolicy policy = new EndpointPolicy(true, host -> {
                lookups.incrementAndGet();
                return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
            });

            AttemptOutcome outcome = sender(policy).send(delivery(url), subscription(url));

            assertThat(outcome.statusCode()).as(outcome.error()).isEqualTo(200);
            assertThat(receiver.count()).isEqualTo(1);
            assertThat(lookups).as("the checked answer is the one connected to").hasValue(1);
        }
    }

    private static WebhookSender sender(EndpointPolicy policy) {
        return new WebhookSender(WebhookSender.client(policy, Duration.ofSeconds(2), Duration.ofSeconds(5)), policy,
                Clock.systemUTC(), LocalKeys.ring());
    }

    private Delivery delivery(String url) {
        return Delivery.of("evt-" + NOW.toEpochMilli(), TYPE, subscription(url), "{}", schedule, NOW);
    }

    private static Subscription subscription(String url) {
        Subscription subscription = Subscription.register("agency-college", url, List.of(TYPE), NOW, LocalKeys.ring());
        ReflectionTestUtils.setField(subscription, "id", "sub-1");
        return subscription;
    }
}
