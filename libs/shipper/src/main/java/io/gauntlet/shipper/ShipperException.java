package io.gauntlet.shipper;

/** A shipper run or start-up failed; the message names the block, file or dependency and the cause. */
public class ShipperException extends RuntimeException {
    public ShipperException(String message) {
        super(message);
    }

    public ShipperException(String message, Throwable cause) {
        super(message, cause);
    }
}
