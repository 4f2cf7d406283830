package org.pathways.identity.guessing;

import java.time.Duration;

import org.springframework.security.authentication.AccountStatusException;

/**
 * Sign-ins refused after too many failures, for a username or an address; {@link PausedSignInPage} shows its
 * message. It reads the same whether the username exists or not, and whether the username or the address
 * reached its limit.
 * An {@link AccountStatusException} so that no other provider is asked after it.
 */
public final class SignInsPaused extends AccountStatusException {

    private final long retryAfterSeconds;

    SignInsPaused(Duration refusedFor) {
        super("Too many failed sign-in attempts. For your security, signing in is paused; please try again in "
                + minutes(refusedFor) + ".");
        this.retryAfterSeconds = Math.max(1, (refusedFor.toMillis() + 999) / 1000);
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    private static String minutes(Duration duration) {
        long minutes = Math.max(1, (duration.toSeconds() + 59) / 60);
        return minutes == 1 ? "a minute" : minutes + " minutes";
    }
}
