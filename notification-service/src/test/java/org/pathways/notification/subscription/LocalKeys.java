package org.pathways.notification.subscription;

/** Keys for sealing webhook secrets in tests only (the devstack's local key, and others made for rotation tests). */
public final class LocalKeys {

    /** The devstack's and the tests' key: published here, so it protects nothing; never for production. */
    public static final String LOCAL = "local-only:Zkh5FtAgzhsfdYEG+Qd4M1KT6kloxXSa4OdULH2eo/M=";

    /** A key the tests' service still knows as a previous one: what was current before the last rotation. */
    public static final String PREVIOUS = "previous-test:3FbMzT+y1bcsUMUdc2ymXnIhuOjrS6FVWtk62W/Is1k=";

    private LocalKeys() {
    }

    public static SecretKeyRing ring() {
        return SecretKeyRing.of(java.util.List.of(LOCAL));
    }

    /** A fresh random key entry {@code <id>:<base64>}. */
    public static String fresh(String id) {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return id + ":" + java.util.Base64.getEncoder().encodeToString(key);
    }
}
