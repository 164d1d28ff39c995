package io.rampart.trace.capture;

import io.rampart.model.Failure;

/** A capture file that is no pcap or pcapng, or is cut short: what is wrong and at which byte. */
public final class CaptureFormatException extends Failure {

    private static final long serialVersionUID = 1L;

    public CaptureFormatException(String message) {
        super(Category.INPUT, message);
    }
}
