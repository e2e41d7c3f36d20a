import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The bcrypt hash of a password for a web config file's {@code basic_auth_users}, run by scripts/up.sh as a single-file
 * program: {@code java -cp 'services/querier/target/quarkus-app/lib/main/*' BcryptHash.java < password-file}. The
 * password comes on stdin (never on a command line, where ps shows it); the hash ({@code $2y$}, cost 10) goes to stdout.
 */
public final class BcryptHash {
    private BcryptHash() {
    }

    public static void main(String[] args) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        System.in.transferTo(in);
        String password = in.toString(StandardCharsets.UTF_8).strip();
        if (password.isEmpty()) {
            System.err.println("BcryptHash: no password on stdin");
            System.exit(2);
        }
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        System.out.println(OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 10));
    }
}
