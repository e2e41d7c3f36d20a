package io.gauntlet.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a set of files looks like on disk (modification time, size, file identity), to notice a change without reading
 * them: cert-manager and the kubelet replace a Secret's files by swapping a symbolic link, which changes all three.
 */
record FileStamps(List<String> stamps) {
    static FileStamps of(Path... files) {
        List<String> out = new ArrayList<>(files.length);
        for (Path file : files) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                out.add(attributes.lastModifiedTime().toInstant() + "/" + attributes.size() + "/" + Objects.toString(attributes.fileKey()));
            } catch (IOException e) {
                out.add("missing");
            }
        }
        return new FileStamps(List.copyOf(out));
    }
}
