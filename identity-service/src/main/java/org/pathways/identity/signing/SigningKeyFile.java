package org.pathways.identity.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * The issuer's signing keys on disk: a JWK Set whose first key is the current one (it signs every new token) and
 * whose other keys are previous ones, still published so that the tokens they signed stay valid until they expire.
 * A file holding a single JWK (as written before rotation existed) is read as a set of that one key.
 *
 * <p>Rotation, with the issuer stopped or before restarting it: {@code rotate} puts a new key first and keeps the
 * others; once the longest access-token lifetime has passed since the restart, {@code retire} removes an old key.
 * As a command, with the executable jar: {@code java -cp identity-service-<version>-exec.jar
 * -Dloader.main=org.pathways.identity.signing.SigningKeyFile org.springframework.boot.loader.launch.PropertiesLauncher
 * rotate|retire <file> [kid]}.
 */
public final class SigningKeyFile {

    private final Path file;

    public SigningKeyFile(Path file) {
        this.file = file;
    }

    public boolean exists() {
        return Files.isRegularFile(file);
    }

    /** Every key, current first; each an RSA key pair with its own key id. */
    public List<RSAKey> read() {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            Map<String, Object> json = JSONObjectUtils.parse(content);
            List<JWK> keys = json.containsKey("keys") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
            if (keys.isEmpty()) {
                throw new IllegalStateException(file + " holds no key");
            }
            List<RSAKey> rsaKeys = new ArrayList<>();
            Set<String> keyIds = new HashSet<>();
            for (JWK key : keys) {
                if (!(key instanceof RSAKey rsa) || !rsa.isPrivate()) {
                    throw new IllegalStateException(file + " holds a key that is not an RSA key pair");
                }
                if (rsa.getKeyID() == null || !keyIds.add(rsa.getKeyID())) {
                    throw new IllegalStateException(file + " holds a key without a key id of its own");
                }
                rsaKeys.add(rsa);
            }
            return List.copyOf(rsaKeys);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the signing keys " + file, e);
        } catch (ParseException e) {
            throw new IllegalStateException(file + " is neither a JWK nor a JWK Set: " + e.getMessage(), e);
        }
    }

    /** A file of one new key. */
    public List<RSAKey> create() {
        List<RSAKey> keys = List.of(generate());
        write(keys);
        return keys;
    }

    /** A new current key; the previous ones stay, published, until retired. No file yet: a file of one new key. */
    public List<RSAKey> rotate() {
        List<RSAKey> keys = new ArrayList<>();
        keys.add(generate());
        if (exists()) {
            keys.addAll(read());
        }
        write(keys);
        return List.copyOf(keys);
    }

    /** Removes a previous key: tokens it signed are refused from then on. The current key cannot be retired. */
    public List<RSAKey> retire(String keyId) {
        List<RSAKey> keys = new ArrayList<>(read());
        if (keys.get(0).getKeyID().equals(keyId)) {
            throw new IllegalArgumentException(keyId + " is the current key: rotate first");
        }
        if (!keys.removeIf(key -> key.getKeyID().equals(keyId))) {
            throw new IllegalArgumentException(file + " holds no key " + keyId);
        }
        write(keys);
        return List.copyOf(keys);
    }

    static RSAKey generate() {
        try {
            RSAKey key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
            // The thumbprint as key id: stable for the key, and different for any other.
            return new RSAKey.Builder(key).keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot generate an RSA key", e);
        }
    }

    /** Whoever reads this file can mint tokens: owner only, written whole before it is seen. */
    private void write(List<RSAKey> keys) {
        try {
            Path directory = file.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path partial = Files.createTempFile(directory, ".signing-key", ".tmp");
            try {
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the directory's own permissions apply.
            }
            Files.writeString(partial, new JWKSet(List.copyOf(keys)).toString(false), StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the signing keys " + file, e);
        }
    }

    /** {@code rotate <file>} or {@code retire <file> <kid>}; prints the key ids, current first. */
    public static void main(String[] args) {
        if (args.length < 2 || !(args[0].equals("rotate") || args[0].equals("retire") && args.length == 3)) {
            System.err.println("usage: rotate <file> | retire <file> <kid>");
            System.exit(2);
        }
        SigningKeyFile keys = new SigningKeyFile(Path.of(args[1]));
        List<RSAKey> result = args[0].equals("rotate") ? keys.rotate() : keys.retire(args[2]);
        System.out.println("current " + result.get(0).getKeyID());
        result.stream().skip(1).forEach(key -> System.out.println("previous " + key.getKeyID()));
    }
}
