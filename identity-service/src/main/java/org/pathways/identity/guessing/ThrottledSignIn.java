package org.pathways.identity.guessing;

import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * The sign-in form's password check, refused without checking once the username or the client address has failed
 * too often. The address is the one Tomcat reports: the direct peer's, or, from a trusted proxy only, the one it
 * forwarded (RemoteIpValve). A successful sign-in clears the username's failures, never the address's (one
 * account of one's own must not buy unlimited guesses at the others). No username or address is logged.
 */
final class ThrottledSignIn implements AuthenticationProvider {

    private static final Logger log = LoggerFactory.getLogger(ThrottledSignIn.class);

    private final AuthenticationProvider passwords;
    private final FailedAttempts usernames;
    private final FailedAttempts addresses;

    ThrottledSignIn(AuthenticationProvider passwords, FailedAttempts usernames, FailedAttempts addresses) {
        this.passwords = passwords;
        this.usernames = usernames;
        this.addresses = addresses;
    }

    @Override
    public Authentication authenticate(Authentication attempt) throws AuthenticationException {
        String username = attempt.getName();
        String address = attempt.getDetails() instanceof WebAuthenticationDetails details
                ? details.getRemoteAddress() : null;
        Optional<Duration> refusal = usernames.refusal(username)
                .or(() -> address == null ? Optional.empty() : addresses.refusal(address));
        if (refusal.isPresent()) {
            throw new SignInsPaused(refusal.get());
        }
        Authentication signedIn;
        try {
            signedIn = passwords.authenticate(attempt);
        } catch (BadCredentialsException wrong) {
            // unknown usernames end here too (Spring hides which it was): counted the same
            if (usernames.failed(username)) {
                log.warn("Sign-ins for one username paused for {} after {} failures (username not logged)",
                        usernames.limit().window(), usernames.limit().failures());
            }
            if (address != null && addresses.failed(address)) {
                log.warn("Sign-ins from one client address paused for {} after {} failures (address not logged)",
                        addresses.limit().window(), addresses.limit().failures());
            }
            throw wrong;
        }
        if (signedIn != null) {
            usernames.succeeded(username);
        }
        return signedIn;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return passwords.supports(authentication);
    }
}
