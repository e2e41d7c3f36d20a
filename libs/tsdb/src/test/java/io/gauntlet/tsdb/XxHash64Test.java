package io.gauntlet.tsdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Against the reference vectors of the xxHash specification (xxhsum's sanity check and published strings). */
class XxHash64Test {
    private static long hash(String text) {
        return XxHash64.hash(text.getBytes(UTF_8));
    }

    @Test
    void matchesThePublishedStringVectors() {
        assertThat(hash("")).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(hash("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
        assertThat(hash("as")).isEqualTo(0x1C330FB2D66BE179L);
        assertThat(hash("asd")).isEqualTo(0x631C37CE72A97393L);
        assertThat(hash("asdf")).isEqualTo(0x415872F599CEA71EL);
        assertThat(hash("abc")).isEqualTo(0x44BC2CF5AD770999L);
        assertThat(hash("Call me Ishmael.")).isEqualTo(0x6D04390FC9D61A90L);
        assertThat(hash("Nobody inspects the spammish repetition")).isEqualTo(0xFBCEA83C8A378BF1L);
        assertThat(hash("Some years ago--never mind how long precisely-")).isEqualTo(0x8F26F2B986AFDC52L);
    }

    @Test
    void matchesTheSanityBufferVectorsWithAndWithoutSeed() {
        long prime = 2654435761L;
        byte[] buffer = new byte[101];
        long generator = prime;
        for (int i = 0; i < buffer.length; i++) {
            buffer[i] = (byte) (generator >>> 24);
            generator = (generator * generator) & 0xFFFFFFFFL;
        }

        assertThat(XxHash64.hash(buffer, 0, 0, prime)).isEqualTo(0xAC75FDA2929B17EFL);
        assertThat(XxHash64.hash(buffer, 0, 1, 0)).isEqualTo(0x4FCE394CC88952D8L);
        assertThat(XxHash64.hash(buffer, 0, 1, prime)).isEqualTo(0x739840CB819FA723L);
        assertThat(XxHash64.hash(buffer, 0, 14, 0)).isEqualTo(0xCFFA8DB881BC3A3DL);
        assertThat(XxHash64.hash(buffer, 0, 14, prime)).isEqualTo(0x5B9611585EFCC9CBL);
        assertThat(XxHash64.hash(buffer, 0, 101, 0)).isEqualTo(0x0EAB543384F878ADL);
        assertThat(XxHash64.hash(buffer, 0, 101, prime)).isEqualTo(0xCAA65939306F1E21L);
    }
}
