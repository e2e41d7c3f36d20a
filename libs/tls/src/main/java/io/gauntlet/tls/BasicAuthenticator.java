package io.gauntlet.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Checks HTTP basic credentials against {@code basic_auth_users} (bcrypt hashes, {@code $2a$}, {@code $2b$},
 * {@code $2y$}) with BouncyCastle's OpenBSD bcrypt, as Prometheus does: an unknown user costs one bcrypt like a known
 * one (no user enumeration by timing), one bcrypt runs at a time (a flood of wrong passwords takes one core, not all),
 * and a right password is remembered, by digest only, so that a dashboard's requests do not each pay a bcrypt.
 */
public final class BasicAuthenticator {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    private static final int REMEMBERED = 256;

    private final Map<String, String> users;
    private final String unknownUserHash;
    private final ReentrantLock bcrypt = new ReentrantLock();
    private final Set<String> verified = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    }));

    /** Checks every hash's form now: a bad one is a {@link TlsConfigException} naming the user, not the hash. */
    public BasicAuthenticator(Map<String, String> users) {
        for (Map.Entry<String, String> user : users.entrySet()) {
            if (!BCRYPT.matcher(user.getValue()).matches()) {
                throw new TlsConfigException("basic_auth_users: the password of user \"" + user.getKey()
                        + "\" is not a bcrypt hash ($2a$, $2b$ or $2y$, cost 4 to 31, 60 characters)");
            }
        }
        this.users = Map.copyOf(users);
        byte[] salt = new byte[16];
        SecureRandom random = new SecureRandom();
        random.nextBytes(salt);
        byte[] password = new byte[16];
        random.nextBytes(password);
        this.unknownUserHash = OpenBSDBCrypt.generate("2y", Base64.getEncoder().encodeToString(password).toCharArray(), salt, 10);
    }

    /** Whether any user is configured: without users every request passes, as in Prometheus. */
    public boolean enabled() {
        return !users.isEmpty();
    }

    /** Whether these credentials were accepted lately: answers without a bcrypt, false when not known. */
    public boolean remembered(String user, String password) {
        String hash = users.get(user);
        return hash != null && verified.contains(digest(user, hash, password));
    }

    /** Whether {@code user} and {@code password} are those of a configured user. Slow (a bcrypt) unless remembered. */
    public boolean authenticate(String user, String password) {
        String hash = users.get(user);
        boolean known = hash != null;
        if (!known) {
            hash = unknownUserHash;
        }
        String key = digest(user, hash, password);
        if (known && verified.contains(key)) {
            return true;
        }
        boolean matches;
        bcrypt.lock();
        try {
            matches = OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (RuntimeException e) {
            matches = false; // a password bcrypt cannot take (longer than 72 bytes) is not the right one
        } finally {
            bcrypt.unlock();
        }
        if (known && matches) {
            verified.add(key);
        }
        return known && matches;
    }

    private static String digest(String user, String hash, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {user, hash, password}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                sha.update((byte) (bytes.length >>> 24));
                sha.update((byte) (bytes.length >>> 16));
                sha.update((byte) (bytes.length >>> 8));
                sha.update((byte) bytes.length);
                sha.update(bytes);
            }
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return users.size() + " basic auth user(s)";
    }
}
