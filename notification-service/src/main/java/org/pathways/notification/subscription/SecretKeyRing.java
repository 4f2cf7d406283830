package org.pathways.notification.subscription;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.spec.SecretKeySpec;

import org.springframework.security.crypto.encrypt.AesBytesEncryptor;
import org.springframework.security.crypto.encrypt.BytesEncryptor;
import org.springframework.security.crypto.keygen.KeyGenerators;

/**
 * The keys webhook secrets are stored under ({@code pathways.webhooks.secret-keys}, env
 * {@code PATHWAYS_WEBHOOK_SECRET_KEYS}): a list of {@code <id>:<base64 of 32 random bytes>}, the first the current key,
 * which seals every new or re-sealed secret, the others previous keys, which only open what was sealed under them until
 * {@link SecretResealing} has moved it to the current key. Rotating a key: put a new one first, keep the old one after
 * it, restart; once the re-sealing has run (it logs how many it moved), the old one can go.
 *
 * <p>Encryption is Spring Security Crypto's {@link AesBytesEncryptor} in GCM mode (a random 16-byte IV per secret,
 * stored before the ciphertext, and a 128-bit tag that refuses a tampered value), with the configured key as it is (no
 * password derivation). There is no built-in key: a service without one refuses to start.
 */
public final class SecretKeyRing {

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String currentId;
    private final Map<String, BytesEncryptor> keys;

    private SecretKeyRing(String currentId, Map<String, BytesEncryptor> keys) {
        this.currentId = currentId;
        this.keys = keys;
    }

    /** The ring from its configuration; refuses none, a malformed entry, a key not 32 bytes long or a repeated id. */
    public static SecretKeyRing of(List<String> configured) {
        if (configured == null || configured.stream().allMatch(String::isBlank)) {
            throw new IllegalStateException("No key to encrypt webhook secrets with: set pathways.webhooks.secret-keys"
                    + " (env PATHWAYS_WEBHOOK_SECRET_KEYS) to <id>:<base64 of 32 random bytes>, e.g. from"
                    + " 'openssl rand -base64 32'");
        }
        Map<String, BytesEncryptor> keys = new LinkedHashMap<>();
        for (String entry : configured) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon).strip();
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalStateException("pathways.webhooks.secret-keys: each entry is <id>:<base64 key>,"
                        + " the id of letters, digits, '.', '_' or '-'");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("pathways.webhooks.secret-keys: the key '" + id + "' is not base64");
            }
            if (key.length != 32) {
                throw new IllegalStateException("pathways.webhooks.secret-keys: the key '" + id
                        + "' must be 32 bytes (AES-256)");
            }
            if (keys.putIfAbsent(id, new AesBytesEncryptor(new SecretKeySpec(key, "AES"),
                    KeyGenerators.secureRandom(16), AesBytesEncryptor.CipherAlgorithm.GCM)) != null) {
                throw new IllegalStateException("pathways.webhooks.secret-keys: the id '" + id + "' is used twice");
            }
        }
        return new SecretKeyRing(keys.keySet().iterator().next(), Map.copyOf(keys));
    }

    /** The secret encrypted under the current key. */
    public SealedSecret seal(String secret) {
        byte[] sealed = keys.get(currentId).encrypt(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new SealedSecret(currentId, Base64.getEncoder().encodeToString(sealed));
    }

    /**
     * The secret itself.
     *
     * @throws IllegalStateException when its key is not (or no longer) configured, or the value was altered
     */
    public String open(SealedSecret sealed) {
        BytesEncryptor key = keys.get(sealed.keyId());
        if (key == null) {
            throw new IllegalStateException("A webhook secret is sealed under the key '" + sealed.keyId()
                    + "', which is not configured in pathways.webhooks.secret-keys");
        }
        try {
            return new String(key.decrypt(Base64.getDecoder().decode(sealed.value())),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            throw new IllegalStateException("A webhook secret sealed under the key '" + sealed.keyId()
                    + "' does not open: altered, or sealed under another key of that id");
        }
    }

    /** Whether it is sealed under the current key (nothing to move). */
    public boolean isCurrent(SealedSecret sealed) {
        return currentId.equals(sealed.keyId());
    }

    /** Whether its key is configured at all. */
    public boolean canOpen(SealedSecret sealed) {
        return keys.containsKey(sealed.keyId());
    }

    public String currentKeyId() {
        return currentId;
    }
}
