package org.pathways.messaging.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** A batch's independent round trips made at once: what the batch consumers rely on when one of them fails. */
class RoundTripsTest {

    @Test
    void theRoundTripsRunAtOnceNotOneAfterAnother() {
        // Each waits for the other to have started: run one after the other, the first would wait in vain.
        CountDownLatch hereStarted = new CountDownLatch(1);
        CountDownLatch elsewhereStarted = new CountDownLatch(1);
        AtomicBoolean hereSawTheOther = new AtomicBoolean();
        AtomicBoolean elsewhereSawTheOther = new AtomicBoolean();

        RoundTrips.atOnce(() -> {
            hereStarted.countDown();
            hereSawTheOther.set(await(elsewhereStarted));
        }, List.of(() -> {
            elsewhereStarted.countDown();
            elsewhereSawTheOther.set(await(hereStarted));
        }));

        assertThat(hereSawTheOther).isTrue();
        assertThat(elsewhereSawTheOther).isTrue();
    }

    @Test
    void theFirstRoundTripRunsOnTheCallersThreadWhereTheBatchKeepsItsState() {
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Thread> otherRanOn = new AtomicReference<>();

        RoundTrips.atOnce(() -> ranOn.set(Thread.currentThread()), List.of(() -> otherRanOn.set(Thread.currentThread())));

        assertThat(ranOn.get()).isSameAs(caller);
        assertThat(otherRanOn.get()).isNotSameAs(caller);
        assertThat(otherRanOn.get().isVirtual()).isTrue();
        assertThat(otherRanOn.get().getName()).as("known by the thread it works for")
                .isEqualTo(caller.getName() + "-round-trip");
    }

    @Test
    void aFailureIsThrownOnlyOnceEveryOtherRoundTripHasEnded() {
        // The batch is received again after a failure: nothing of its first go may still be writing by then.
        AtomicBoolean slowOneEnded = new AtomicBoolean();
        IllegalStateException refused = new IllegalStateException("the store refused the feed's insert");

        assertThatThrownBy(() -> RoundTrips.atOnce(() -> {
            throw refused;
        }, List.of(() -> {
            sleep(200);
            slowOneEnded.set(true);
        }))).isSameAs(refused);

        assertThat(slowOneEnded).as("the other round trip had ended when the failure was thrown").isTrue();
    }

    @Test
    void everyFailureIsReportedTheFirstWithTheOthersSuppressed() {
        IllegalStateException feed = new IllegalStateException("feed");
        IllegalArgumentException notices = new IllegalArgumentException("notices");

        assertThatThrownBy(() -> RoundTrips.atOnce(() -> {
            throw feed;
        }, List.of(() -> {
            throw notices;
        }, () -> { }))).isSameAs(feed).satisfies(thrown -> assertThat(thrown.getSuppressed()).containsExactly(notices));
    }

    @Test
    void aFailureElsewhereIsThrownWhenTheCallersOwnSucceeded() {
        IllegalStateException emails = new IllegalStateException("emails");
        AtomicBoolean ownWritten = new AtomicBoolean();

        assertThatThrownBy(() -> RoundTrips.atOnce(() -> ownWritten.set(true), List.of(() -> {
            throw emails;
        }))).isSameAs(emails);
        assertThat(ownWritten).isTrue();
    }

    @Test
    void roundTripsMadeAsOneAreMadeAtOnceWhicheverThreadRunsThem() throws InterruptedException {
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        AtomicBoolean firstSawSecond = new AtomicBoolean();
        AtomicBoolean secondSawFirst = new AtomicBoolean();
        Runnable both = RoundTrips.allOf(() -> {
            first.countDown();
            firstSawSecond.set(await(second));
        }, RoundTrips.NONE, () -> {
            second.countDown();
            secondSawFirst.set(await(first));
        });

        Thread elsewhere = Thread.ofVirtual().start(both);
        elsewhere.join(10_000);

        assertThat(firstSawSecond).isTrue();
        assertThat(secondSawFirst).isTrue();
    }

    @Test
    void roundTripsWithNothingToDoMakeNoRoundTripToRun() {
        Runnable only = () -> { };

        assertThat(RoundTrips.allOf(RoundTrips.NONE, RoundTrips.NONE)).isSameAs(RoundTrips.NONE);
        assertThat(RoundTrips.allOf(RoundTrips.NONE, only)).isSameAs(only);
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
