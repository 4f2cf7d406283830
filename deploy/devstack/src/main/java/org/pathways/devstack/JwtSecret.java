package org.pathways.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The HMAC secret the services check tokens with. Generated once per data directory and kept there, so that tokens
 * minted yesterday, and scripts holding them, keep working after a restart; never a constant in the code, so that
 * a devstack token is worthless anywhere else.
 */
final class JwtSecret {

    static final String FILE_NAME = "jwt-secret";
    private static final int BYTES = 32;

    private JwtSecret() {
    }

    /** The base64url secret stored in {@code dataDir}, created first if there is none. */
    static String loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.isRegularFile(file)) {
            String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!stored.isEmpty()) {
                return stored;
            }
        }
        byte[] random = new byte[BYTES];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.createDirectories(dataDir);
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
        ownerOnly(file);
        return secret;
    }

    /** Anyone who can read the secret can mint tokens; keep it to the user where the file system allows. */
    static void ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system; the data directory's own permissions apply.
        }
    }
}
