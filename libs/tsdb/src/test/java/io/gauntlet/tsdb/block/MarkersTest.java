package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MarkersTest {
    private static final Ulid ID = Ulid.parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");

    @Test
    void deletionMarkIsWrittenAsThanosWritesIt() throws Exception {
        DeletionMark mark = DeletionMark.of(ID, "source of compacted block", 1_700_000_000L);
        String json = new String(mark.toJson(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"version\":1,\"details\":\"source of compacted block\",\"deletion_time\":1700000000}");
        assertThat(DeletionMark.parse(mark.toJson(), ID.toString())).isEqualTo(mark);
        assertThat(new String(DeletionMark.of(ID, "", 5).toJson(), StandardCharsets.UTF_8)).doesNotContain("details");
        DeletionMark withExtra = DeletionMark.parse("{\"id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"version\":1,\"deletion_time\":3,\"x\":[1]}"
                .getBytes(StandardCharsets.UTF_8), "b");
        assertThat(new String(withExtra.toJson(), StandardCharsets.UTF_8)).endsWith(",\"x\":[1]}");
        assertThatThrownBy(() -> DeletionMark.parse("{\"id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"version\":2,\"deletion_time\":3}"
                .getBytes(StandardCharsets.UTF_8), "b")).isInstanceOfSatisfying(UnsupportedMetaVersionException.class,
                e -> assertThat(e.file()).isEqualTo("deletion-mark.json"));
    }

    @Test
    void noCompactMarkIsWrittenAsThanosWritesIt() throws Exception {
        NoCompactMark mark = NoCompactMark.of(ID, "", 1_700_000_000L, NoCompactMark.REASON_MANUAL);
        assertThat(new String(mark.toJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"version\":1,\"no_compact_time\":1700000000,\"reason\":\"manual\"}");
        assertThat(NoCompactMark.parse(mark.toJson(), ID.toString())).isEqualTo(mark);
        assertThatThrownBy(() -> NoCompactMark.parse("{\"id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"no_compact_time\":3}"
                .getBytes(StandardCharsets.UTF_8), "b")).isInstanceOf(UnsupportedMetaVersionException.class);
    }
}
