package org.pathways.notification.subscription;

/**
 * What a FHIR R4 rest-hook {@code Subscription} asked for, beside its endpoint ({@link Subscription#url()}): the
 * criteria as given, its reason, the payload media type ({@code application/fhir+json}, or null for an empty
 * notification) and the channel's HTTP headers. The headers usually carry the receiver's credentials, so they are
 * kept sealed like a webhook secret (one {@code Name: value} a line), never in plain text.
 */
public record RestHook(String criteria, String reason, String payload, SealedSecret headers) {

    /**
     * The channel's headers, opened ({@code Name: value} each).
     *
     * @throws IllegalStateException when they are sealed under a key that is not configured
     */
    public java.util.List<String> headerLines(SecretKeyRing keys) {
        return headers == null ? java.util.List.of() : java.util.List.of(keys.open(headers).split("\n"));
    }
}
