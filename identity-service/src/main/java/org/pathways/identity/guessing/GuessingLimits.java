package org.pathways.identity.guessing;

import java.time.Clock;
import java.util.function.Predicate;

import jakarta.servlet.Filter;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;

/**
 * The issuer's limits on guessing, to be put in front of its password and client-secret checks: one set of counts
 * per running issuer (in memory; with several instances each counts on its own).
 */
public final class GuessingLimits {

    private final FailedAttempts usernames;
    private final FailedAttempts addresses;
    private final FailedAttempts clients;
    private final Predicate<String> registeredClient;

    /**
     * @param registeredClient whether a client id is configured (only those are named in the log)
     */
    public GuessingLimits(GuessingProperties properties, Clock clock, Predicate<String> registeredClient) {
        this.usernames = new FailedAttempts(properties.username(), clock);
        this.addresses = new FailedAttempts(properties.address(), clock);
        this.clients = new FailedAttempts(properties.client(), clock);
        this.registeredClient = registeredClient;
    }

    /** The sign-in form's password check, refused once the username or the address has failed too often. */
    public AuthenticationProvider signIns(AuthenticationProvider passwords) {
        return new ThrottledSignIn(passwords, usernames, addresses);
    }

    /**
     * For the sign-in form's filter: 429 and a page saying to wait when sign-ins are paused; otherwise back to the
     * form with its one message for every failure, as form login does by default. A post-processor, not
     * {@code formLogin().failureHandler(...)}, which would leave the default login page without its failure URL.
     */
    public ObjectPostProcessor<UsernamePasswordAuthenticationFilter> pausedSignInPage() {
        AuthenticationFailureHandler failures = new PausedSignInPage(
                new SimpleUrlAuthenticationFailureHandler("/login?error"));
        return new ObjectPostProcessor<>() {
            @Override
            public <F extends UsernamePasswordAuthenticationFilter> F postProcess(F filter) {
                filter.setAuthenticationFailureHandler(failures);
                return filter;
            }
        };
    }

    /** The client-secret check, counting failures per client id. */
    public AuthenticationProvider clientSecrets(AuthenticationProvider secrets) {
        return new ThrottledClientSecrets(secrets, clients, registeredClient);
    }

    /** Answers 429 to a client id that has failed too often, before its secret is checked. */
    public Filter pausedClients() {
        return new PausedClients(clients);
    }
}
