package io.rampart.trace.capture;

/** A capture file that is no pcap or pcapng, or is cut short: what is wrong and at which byte. */
public final class CaptureFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public CaptureFormatException(String message) {
        super(message);
    }
}
