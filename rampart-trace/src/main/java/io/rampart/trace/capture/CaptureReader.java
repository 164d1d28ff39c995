package io.rampart.trace.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the frames of a capture file: pcap (either byte order, microsecond or nanosecond magic)
 * and pcapng (section header, interface description, enhanced and simple packet blocks, each
 * section in its own byte order, each interface with its link type and name). Other pcapng blocks
 * are skipped. A file that is neither, or ends inside a header or a frame, is refused with the
 * byte offset where it goes wrong.
 */
public final class CaptureReader {

    /** Whether the capture says a frame arrived or left; most captures do not say. */
    public enum Direction { UNKNOWN, INBOUND, OUTBOUND }

    /** What is done with each frame; {@code data} is reused after the call returns. */
    @FunctionalInterface
    public interface FrameSink {
        void frame(int linkType, byte[] data, int length, Direction direction, String interfaceName);
    }

    private static final int PCAP_MICROS = 0xa1b2c3d4;
    private static final int PCAP_NANOS = 0xa1b23c4d;
    private static final int PCAPNG_SECTION = 0x0a0d0d0a;
    private static final int PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
    /** Larger than any snapshot length tcpdump or Wireshark writes (256 KiB), so a bad length is caught. */
    private static final int MAX_FRAME = 1 << 20;

    private final InputStream in;
    private final String name;
    private long offset;
    private byte[] buffer = new byte[65536];
    private final byte[] header = new byte[32];

    private CaptureReader(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    /** Every frame of the capture in {@code in}, in order; {@code name} names it in errors. Returns the frame count. */
    public static long read(InputStream in, String name, FrameSink sink) throws IOException, CaptureFormatException {
        return new CaptureReader(in, name).run(sink);
    }

    private long run(FrameSink sink) throws IOException, CaptureFormatException {
        int got = readSome(header, 0, 4);
        if (got < 4) {
            throw bad(0, "is empty or too short to be a capture");
        }
        int big = ByteBuffer.wrap(header, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        int little = ByteBuffer.wrap(header, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (big == PCAP_MICROS || big == PCAP_NANOS) {
            return pcap(ByteOrder.BIG_ENDIAN, sink);
        }
        if (little == PCAP_MICROS || little == PCAP_NANOS) {
            return pcap(ByteOrder.LITTLE_ENDIAN, sink);
        }
        if (big == PCAPNG_SECTION) {
            return pcapng(sink);
        }
        throw bad(0, "is not a pcap or pcapng capture (it starts with 0x" + String.format("%08x", big) + ")");
    }

    private long pcap(ByteOrder order, FrameSink sink) throws IOException, CaptureFormatException {
        full(header, 4, 20, "the file header");
        ByteBuffer h = ByteBuffer.wrap(header, 0, 24).order(order);
        int linkType = h.getInt(20) & 0x0fffffff;
        long frames = 0;
        while (true) {
            long at = offset;
            int got = readSome(header, 0, 16);
            if (got == 0) {
                return frames;
            }
            if (got < 16) {
                throw bad(at, "ends inside the header of frame " + (frames + 1));
            }
            ByteBuffer r = ByteBuffer.wrap(header, 0, 16).order(order);
            int captured = r.getInt(8);
            if (captured < 0 || captured > MAX_FRAME) {
                throw bad(at, "frame " + (frames + 1) + " claims " + Integer.toUnsignedString(captured)
                        + " bytes, more than any capture holds");
            }
            byte[] data = frame(captured, frames + 1);
            frames++;
            sink.frame(linkType, data, captured, Direction.UNKNOWN, null);
        }
    }

    /** One pcapng interface: its link type and name (null when the capture does not name it). */
    private record Interface(int linkType, String name, int snapLength) {
    }

    private long pcapng(FrameSink sink) throws IOException, CaptureFormatException {
        ByteOrder order = null;
        List<Interface> interfaces = new ArrayList<>();
        long frames = 0;
        boolean first = true;
        while (true) {
            long at = offset;
            int got = first ? 4 + readSome(header, 4, 4) : readSome(header, 0, 8);
            first = false;
            if (got == 0) {
                return frames;
            }
            if (got < 8) {
                throw bad(at, "ends inside a block header");
            }
            int type = ByteBuffer.wrap(header, 0, 4).order(order == null ? ByteOrder.BIG_ENDIAN : order).getInt();
            if (ByteBuffer.wrap(header, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt() == PCAPNG_SECTION) {
                // A section header: its byte-order magic says how to read it and the section after it.
                byte[] magic = new byte[4];
                full(magic, 0, 4, "a section header");
                order = ByteBuffer.wrap(magic).order(ByteOrder.BIG_ENDIAN).getInt() == PCAPNG_BYTE_ORDER
                        ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                if (ByteBuffer.wrap(magic).order(order).getInt() != PCAPNG_BYTE_ORDER) {
                    throw bad(at + 8, "has a section header without the byte-order magic 0x1a2b3c4d");
                }
                int length = ByteBuffer.wrap(header, 4, 4).order(order).getInt();
                checkLength(at, length, 28);
                byte[] rest = frame(length - 12, frames + 1);
                checkTrailer(at, rest, length - 16, length, order);
                interfaces.clear();
                continue;
            }
            if (order == null) {
                throw bad(at, "does not start with a section header");
            }
            int length = ByteBuffer.wrap(header, 4, 4).order(order).getInt();
            checkLength(at, length, 12);
            byte[] body = frame(length - 8, frames + 1);
            checkTrailer(at, body, length - 12, length, order);
            ByteBuffer b = ByteBuffer.wrap(body, 0, length - 12).order(order);
            switch (type) {
                case 1 -> interfaces.add(new Interface(b.getShort(0) & 0xffff, interfaceName(b, order),
                        b.getInt(4)));
                case 6 -> {
                    int id = b.getInt(0);
                    int captured = b.getInt(12);
                    Interface iface = interfaceOf(interfaces, id, at);
                    if (captured < 0 || 20 + captured > length - 12) {
                        throw bad(at, "has a packet block whose frame runs past the block");
                    }
                    Direction direction = direction(b, 20 + pad(captured), length - 12, order);
                    System.arraycopy(body, 20, body, 0, captured);
                    frames++;
                    sink.frame(iface.linkType(), body, captured, direction, iface.name());
                }
                case 3 -> {
                    Interface iface = interfaceOf(interfaces, 0, at);
                    int original = b.getInt(0);
                    int captured = Math.min(original, length - 16);
                    if (iface.snapLength() > 0) {
                        captured = Math.min(captured, iface.snapLength());
                    }
                    System.arraycopy(body, 4, body, 0, captured);
                    frames++;
                    sink.frame(iface.linkType(), body, captured, Direction.UNKNOWN, iface.name());
                }
                default -> {
                    // Name resolution, statistics, custom blocks: nothing about the packets the rules see.
                }
            }
        }
    }

    private Interface interfaceOf(List<Interface> interfaces, int id, long at) throws CaptureFormatException {
        if (id < 0 || id >= interfaces.size()) {
            throw bad(at, "has a packet of interface " + id + ", which no interface description block before it"
                    + " describes");
        }
        return interfaces.get(id);
    }

    /** The {@code if_name} option of an interface description block, or null. */
    private static String interfaceName(ByteBuffer b, ByteOrder order) {
        int at = 8;
        while (at + 4 <= b.limit()) {
            int code = b.getShort(at) & 0xffff;
            int length = b.getShort(at + 2) & 0xffff;
            if (code == 0 || at + 4 + length > b.limit()) {
                return null;
            }
            if (code == 2) {
                byte[] text = new byte[length];
                b.get(at + 4, text);
                String name = new String(text, StandardCharsets.UTF_8);
                int nul = name.indexOf('\0');
                return nul >= 0 ? name.substring(0, nul) : name;
            }
            at += 4 + pad(length);
        }
        return null;
    }

    /** The direction in an enhanced packet block's {@code epb_flags} option (bits 0 and 1). */
    private static Direction direction(ByteBuffer b, int at, int end, ByteOrder order) {
        while (at + 4 <= end) {
            int code = b.getShort(at) & 0xffff;
            int length = b.getShort(at + 2) & 0xffff;
            if (code == 0 || at + 4 + length > end) {
                break;
            }
            if (code == 2 && length == 4) {
                int flags = b.getInt(at + 4) & 3;
                return flags == 1 ? Direction.INBOUND : flags == 2 ? Direction.OUTBOUND : Direction.UNKNOWN;
            }
            at += 4 + pad(length);
        }
        return Direction.UNKNOWN;
    }

    private static int pad(int length) {
        return (length + 3) & ~3;
    }

    private void checkLength(long at, int length, int minimum) throws CaptureFormatException {
        if (length < minimum || length % 4 != 0 || length > MAX_FRAME + 64) {
            throw bad(at, "has a block of length " + Integer.toUnsignedString(length) + ", which pcapng does not allow");
        }
    }

    /** The block's closing copy of its length, the last four bytes of {@code body}, must repeat it. */
    private void checkTrailer(long at, byte[] body, int end, int length, ByteOrder order)
            throws CaptureFormatException {
        if (ByteBuffer.wrap(body, end, 4).order(order).getInt() != length) {
            throw bad(at, "has a block whose closing length does not repeat its opening one");
        }
    }

    /** The next {@code length} bytes into the reused buffer. */
    private byte[] frame(int length, long number) throws IOException, CaptureFormatException {
        if (buffer.length < length) {
            buffer = new byte[Math.max(length, buffer.length * 2)];
        }
        long at = offset;
        if (readSome(buffer, 0, length) < length) {
            throw bad(at, "ends inside frame " + number + " (" + length + " bytes announced)");
        }
        return buffer;
    }

    private void full(byte[] into, int from, int length, String what) throws IOException, CaptureFormatException {
        long at = offset;
        if (readSome(into, from, length) < length) {
            throw bad(at, "ends inside " + what);
        }
    }

    /** Reads up to {@code length} bytes, fewer only at the end of the file. */
    private int readSome(byte[] into, int from, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(into, from + done, length - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        offset += done;
        return done;
    }

    private CaptureFormatException bad(long at, String what) {
        return new CaptureFormatException(name + ": " + what + " (at byte " + at + ")");
    }
}
