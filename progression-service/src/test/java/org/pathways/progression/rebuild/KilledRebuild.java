package org.pathways.progression.rebuild;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.pathways.progression.tally.Generation;
import org.springframework.context.ApplicationContext;

/**
 * The rebuild of another instance of the service (same store, broker and clock as the test's), killed (kill -9) when
 * its rebuild reaches a point: nothing after that point runs on it, no failure is handled and its claim is not given
 * back, so its lease and the store stay as a killed process leaves them. The JVM of the test lives on.
 */
public final class KilledRebuild {

    private final ProjectionRebuild instance;
    private final CompletableFuture<Generation> killed = new CompletableFuture<>();

    private KilledRebuild(ApplicationContext context, ProjectionRebuild.State point) {
        this.instance = AnotherInstance.of(context,
                (state, generation) -> {
                    if (state == point) {
                        killed.complete(generation);
                        // Frozen for good: nothing after this point runs (the service handles an error thrown here
                        // as a stop, which a killed process never records), so its claim is neither renewed nor
                        // given back.
                        while (true) {
                            LockSupport.park(this);
                        }
                    }
                });
    }

    /** Another instance whose rebuild is killed as it reaches {@code point}. */
    public static KilledRebuild at(ProjectionRebuild.State point, ApplicationContext context) {
        return new KilledRebuild(context, point);
    }

    /** Asks this instance to rebuild, as {@code POST /api/progression/rebuild} does. */
    public ProjectionRebuild.Status start() {
        return instance.start();
    }

    /** Waits until it was killed; the generation it was rebuilding into. */
    public Generation awaitKilled(Duration within) {
        try {
            return killed.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("The rebuilding instance did not reach the point it is killed at", e);
        }
    }
}
