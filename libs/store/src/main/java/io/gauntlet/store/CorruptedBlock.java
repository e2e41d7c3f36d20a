package io.gauntlet.store;

/**
 * A block a store leaves out of its answers because reading it found confirmed damage.
 *
 * @param file    path inside the block, e.g. {@code chunks/000001} or {@code index}
 * @param offset  byte offset in the file, -1 when the damage is not at one place
 * @param cause   {@code checksum}, {@code truncated}, {@code missing_file}, {@code unknown_encoding} or {@code decode}
 * @param message the damage in words: block, file, offset and problem
 * @param since   when the store found it, unix milliseconds
 */
public record CorruptedBlock(String ulid, String file, long offset, String cause, String message, long minTime, long maxTime, long since) {
}
