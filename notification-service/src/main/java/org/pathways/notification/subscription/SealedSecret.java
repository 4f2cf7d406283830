package org.pathways.notification.subscription;

/**
 * A webhook signing secret as it is stored: encrypted (AES-256-GCM) under the key named {@code keyId}, base64 in
 * {@code value}. Never the secret itself: only {@link SecretKeyRing} opens it.
 */
public record SealedSecret(String keyId, String value) {

    @Override
    public String toString() {
        return "SealedSecret[keyId=" + keyId + "]";
    }
}
