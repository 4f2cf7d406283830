package org.pathways.web.config;

import java.time.Duration;
import java.time.Instant;

import jakarta.servlet.http.HttpSession;

/**
 * The session's record of going round the issuer again after the API refused the person's token. What counts
 * against a loop is a sign-in that <em>came back</em> with a fresh token, not one merely started: a page's own request
 * (a list refreshing itself, the dashboard's live stream, an abandoned tab) can start the round without ever
 * finishing it, and that must not stop the next page from signing the person in.
 */
public final class SignInAgain {

    /** Set when the session was sent round the issuer again; cleared when it comes back signed in. */
    private static final String SENT = SignInAgain.class.getName() + ".SENT";
    /** When the session last came back signed in after being sent round again. */
    private static final String DONE_AT = SignInAgain.class.getName() + ".DONE_AT";
    /** A fresh token refused this soon after signing in again is not an expiry: going round again would loop. */
    private static final Duration TOO_SOON = Duration.ofMinutes(1);

    private SignInAgain() {
    }

    /** The session is being sent round the issuer again. */
    public static void sent(HttpSession session) {
        session.setAttribute(SENT, Boolean.TRUE);
    }

    /** A sign-in came back (the issuer's callback succeeded): if it was a round started by a refusal, note when. */
    public static void cameBack(HttpSession session) {
        if (session != null && session.getAttribute(SENT) != null) {
            session.removeAttribute(SENT);
            session.setAttribute(DONE_AT, Instant.now());
        }
    }

    /** The API refused a token this session got by signing in again moments ago. */
    public static boolean tooSoon(HttpSession session) {
        return session.getAttribute(DONE_AT) instanceof Instant last && last.isAfter(Instant.now().minus(TOO_SOON));
    }
}
