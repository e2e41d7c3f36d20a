package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UlidTest {
    @Test
    void parsesAndPrintsTheSpecExample() {
        Ulid ulid = Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assertThat(ulid.timestamp()).isEqualTo(1469922850259L); // "01ARZ3NDEK" in base32
        assertThat(ulid).hasToString("01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assertThat(Ulid.parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")).isEqualTo(new Ulid(-1, -1));
        assertThat(Ulid.parse("00000000000000000000000000")).isEqualTo(new Ulid(0, 0));
    }

    @Test
    void roundTripsRandomValuesAndSortsLikeItsText() {
        Random random = new Random(11);
        List<Ulid> ulids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Ulid ulid = Ulid.of(random.nextLong(1L << 48), random);
            assertThat(Ulid.parse(ulid.toString())).isEqualTo(ulid);
            assertThat(Ulid.isUlid(ulid.toString())).isTrue();
            ulids.add(ulid);
        }
        assertThat(ulids.stream().sorted().map(Ulid::toString).toList()).isSorted();
    }

    @Test
    void generatesMonotonicallyWithinOneMillisecond() {
        List<Ulid> sameMillisecond = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            sameMillisecond.add(Ulid.generate(1_700_000_000_000L));
        }
        assertThat(sameMillisecond).isSorted().doesNotHaveDuplicates().allMatch(u -> u.timestamp() == 1_700_000_000_000L);
        assertThat(Ulid.generate().timestamp()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(10_000L));
    }

    @Test
    void recognisesOnlyCanonicalNames() {
        assertThat(Ulid.isUlid("01ARZ3NDEKTSV4RRFFQ69G5FAV")).isTrue();
        for (String name : new String[] {"debug", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAVX", "81ARZ3NDEKTSV4RRFFQ69G5FAV",
                "01ARZ3NDEKTSV4RRFFQ69G5FAU", "01arz3ndektsv4rrffq69g5fav", "01ARZ3NDEKTSV4RRFFQ69G5FA\u00e9", ""}) {
            assertThat(Ulid.isUlid(name)).as(name).isFalse();
            assertThatThrownBy(() -> Ulid.parse(name)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Ulid.isUlid(null)).isFalse();
    }
}
