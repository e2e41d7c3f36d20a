package io.gauntlet.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;

class BasicAuthenticatorTest {
    @Test
    void acceptsEveryBcryptVersionPrometheusAccepts() {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        for (String version : new String[] {"2a", "2b", "2y"}) {
            String hash = OpenBSDBCrypt.generate(version, "s3cret-é".toCharArray(), salt, 4);
            BasicAuthenticator authenticator = new BasicAuthenticator(Map.of("alice", hash));
            assertThat(authenticator.authenticate("alice", "s3cret-é")).as(version).isTrue();
            assertThat(authenticator.authenticate("alice", "s3cret-e")).as(version).isFalse();
            assertThat(authenticator.authenticate("bob", "s3cret-é")).as(version).isFalse();
            // remembered: the second right answer is the same
            assertThat(authenticator.authenticate("alice", "s3cret-é")).as(version).isTrue();
        }
    }

    @Test
    void knownVectorOfOtherImplementations() {
        // the OpenBSD/John the Ripper bcrypt test vector for the password "U*U"
        BasicAuthenticator authenticator = new BasicAuthenticator(Map.of("u", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
        assertThat(authenticator.authenticate("u", "U*U")).isTrue();
        assertThat(authenticator.authenticate("u", "U*V")).isFalse();
    }

    @Test
    void aPasswordLongerThanBcryptTakesIsRefusedNotAnError() {
        String hash = OpenBSDBCrypt.generate("2y", "short".toCharArray(), new byte[16], 4);
        assertThat(new BasicAuthenticator(Map.of("a", hash)).authenticate("a", "x".repeat(200))).isFalse();
    }

    @Test
    void aPlainTextPasswordInTheFileIsRefusedNamingTheUserOnly() {
        assertThatThrownBy(() -> new BasicAuthenticator(Map.of("alice", "hunter2")))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith("basic_auth_users: the password of user \"alice\" is not a bcrypt hash")
                .hasMessageNotContaining("hunter2");
    }
}
