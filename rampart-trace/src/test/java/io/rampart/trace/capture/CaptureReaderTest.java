package io.rampart.trace.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.extension.Addresses;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The captures in src/test/resources/captures (made by tcpdump and tshark, see make-captures), and
 * the same captures in the other byte order, read frame by frame and compared with what tshark
 * reads from the same file.
 */
class CaptureReaderTest {

    private static final Path CAPTURES = Path.of("src/test/resources/captures");
    private static final List<String> FILES = List.of("ethernet.pcap", "ethernet-nanos.pcap", "cooked.pcap",
            "cooked2.pcap", "tshark.pcapng");

    @TempDir
    Path dir;

    /** One frame as both readers give it, in one line of text. */
    private static List<String> ours(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        try (var in = Files.newInputStream(file)) {
            CaptureReader.read(in, file.toString(), (linkType, data, length, direction, name) -> {
                FrameDecoder.Decoded d = decoder.decode(linkType, data, length);
                if (d == null) {
                    out.add("skipped " + decoder.skipped());
                    return;
                }
                boolean icmp = d.icmpType() >= 0;
                out.add(Addresses.format(d.src()) + " " + Addresses.format(d.dst()) + " " + d.proto() + " "
                        + (icmp ? "icmp " + d.icmpType() + "/" + d.icmpCode() : d.sport() + ">" + d.dport())
                        + (d.proto() == 6 ? " flags " + d.tcpFlags() : "")
                        + (linkType == 113 || linkType == 276 ? (d.sent() ? " sent" : " received") : "")
                        + (name != null ? " on " + name : ""));
            });
        }
        return out;
    }

    private static List<String> tshark(Path file, boolean cooked, boolean named) {
        List<String> fields = List.of("sll.pkttype", "frame.interface_name", "ip.src", "ipv6.src", "ip.dst",
                "ipv6.dst", "tcp.srcport", "udp.srcport", "tcp.dstport", "udp.dstport", "tcp.flags", "icmp.type",
                "icmpv6.type", "icmp.code", "icmpv6.code");
        List<String> command = new ArrayList<>(List.of("tshark", "-r", file.toString(), "-T", "fields", "-E",
                "separator=;", "-E", "occurrence=f"));
        fields.forEach(f -> command.addAll(List.of("-e", f)));
        ProcessResult result = ProcessRunner.system().run(command, "");
        assertThat(result.ok()).as(result.stderr()).isTrue();
        List<String> out = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            String[] f = Arrays.copyOf(line.split(";", -1), fields.size());
            String src = !f[2].isEmpty() ? f[2] : f[3];
            String dst = !f[4].isEmpty() ? f[4] : f[5];
            boolean icmp4 = !f[11].isEmpty();
            boolean icmp6 = !f[12].isEmpty();
            String proto = icmp4 ? "1" : icmp6 ? "58" : !f[6].isEmpty() ? "6" : "17";
            String rest = icmp4 ? "icmp " + f[11] + "/" + f[13] : icmp6 ? "icmp " + f[12] + "/" + f[14]
                    : !f[6].isEmpty() ? f[6] + ">" + f[8] + " flags " + Integer.decode(f[10]) : f[7] + ">" + f[9];
            out.add(src + " " + dst + " " + proto + " " + rest + (cooked ? f[0].equals("4") ? " sent" : " received" : "")
                    + (named ? " on " + f[1] : ""));
        }
        return out;
    }

    @Test
    void everyCaptureReadsAsTsharkReadsItInBothByteOrders() throws Exception {
        KernelTestSupport.requireTool("tshark");
        for (String name : FILES) {
            Path file = CAPTURES.resolve(name);
            boolean cooked = name.startsWith("cooked");
            boolean named = name.endsWith(".pcapng");
            List<String> expected = tshark(file, cooked, named);
            assertThat(expected).as(name).hasSizeGreaterThan(10);
            assertThat(ours(file)).as(name).isEqualTo(expected);
            Path swapped = dir.resolve("swapped-" + name);
            Files.write(swapped, named ? pcapngSwapped(Files.readAllBytes(file)) : pcapSwapped(Files.readAllBytes(file)));
            assertThat(tshark(swapped, cooked, named)).as("tshark reads the swapped " + name).isEqualTo(expected);
            assertThat(ours(swapped)).as("swapped " + name).isEqualTo(expected);
        }
    }

    @Test
    void theCapturesHoldWhatMakeCapturesSent() throws Exception {
        List<String> cooked = ours(CAPTURES.resolve("cooked2.pcap"));
        assertThat(cooked).contains("10.9.0.1 10.9.0.2 1 icmp 8/0 received", "10.9.0.2 10.9.0.1 1 icmp 0/0 sent",
                "2001:db8:9::2 2001:db8:9::1 58 icmp 129/0 sent", "10.9.0.2 10.9.0.1 1 icmp 3/3 sent",
                "2001:db8:9::2 2001:db8:9::1 58 icmp 1/4 sent");
        // The multicast listener reports carry a hop-by-hop header before ICMPv6.
        assertThat(cooked.get(0)).isEqualTo(":: ff02::16 58 icmp 143/0 received");
    }

    @Test
    void whatIsNoCaptureIsRefusedWithWhere() {
        assertThatThrownBy(() -> read("*filter\nCOMMIT\n".getBytes())).isInstanceOf(CaptureFormatException.class)
                .hasMessage("x.pcap: is not a pcap or pcapng capture (it starts with 0x2a66696c) (at byte 0)");
        assertThatThrownBy(() -> read(new byte[0])).hasMessage("x.pcap: is empty or too short to be a capture"
                + " (at byte 0)");
    }

    @Test
    void aCaptureCutShortIsRefusedAtTheFrameItEndsIn() throws Exception {
        byte[] pcap = Files.readAllBytes(CAPTURES.resolve("ethernet.pcap"));
        assertThatThrownBy(() -> read(Arrays.copyOf(pcap, 24 + 16 + 20))).hasMessage("x.pcap: ends inside frame 1"
                + " (" + ByteBuffer.wrap(pcap, 32, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() + " bytes announced)"
                + " (at byte 40)");
        assertThatThrownBy(() -> read(Arrays.copyOf(pcap, 20))).hasMessage("x.pcap: ends inside the file header"
                + " (at byte 4)");
        byte[] ng = Files.readAllBytes(CAPTURES.resolve("tshark.pcapng"));
        assertThatThrownBy(() -> read(Arrays.copyOf(ng, ng.length - 3))).isInstanceOf(CaptureFormatException.class)
                .hasMessageContaining("ends inside frame");
        byte[] badLength = Arrays.copyOf(pcap, pcap.length);
        ByteBuffer.wrap(badLength, 32, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7fffffff);
        assertThatThrownBy(() -> read(badLength)).hasMessage("x.pcap: frame 1 claims 2147483647 bytes, more than"
                + " any capture holds (at byte 24)");
    }

    private static void read(byte[] bytes) throws IOException, CaptureFormatException {
        CaptureReader.read(new ByteArrayInputStream(bytes), "x.pcap", (linkType, data, length, d, name) -> { });
    }

    /** A little-endian pcap in big-endian order: the file header and each record header swapped. */
    private static byte[] pcapSwapped(byte[] in) {
        ByteBuffer src = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(in.length).order(ByteOrder.BIG_ENDIAN);
        out.putInt(src.getInt(0)).putShort(src.getShort(4)).putShort(src.getShort(6));
        for (int at = 8; at < 24; at += 4) {
            out.putInt(src.getInt(at));
        }
        int at = 24;
        while (at < in.length) {
            int captured = src.getInt(at + 8);
            for (int k = 0; k < 16; k += 4) {
                out.putInt(src.getInt(at + k));
            }
            out.put(in, at + 16, captured);
            at += 16 + captured;
        }
        return out.array();
    }

    /**
     * A little-endian pcapng in big-endian order: the fields of its section, interface and packet blocks
     * and their options swapped, other blocks (statistics) left out.
     */
    private static byte[] pcapngSwapped(byte[] in) {
        ByteBuffer src = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.wrap(in.clone()).order(ByteOrder.BIG_ENDIAN);
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (at < in.length) {
            int type = src.getInt(at);
            int length = src.getInt(at + 4);
            if (type != 0x0a0d0d0a && type != 1 && type != 6) {
                at += length;
                continue;
            }
            out.putInt(at, type).putInt(at + 4, length).putInt(at + length - 4, length);
            int options;
            switch (type) {
                case 0x0a0d0d0a -> {
                    out.putInt(at + 8, src.getInt(at + 8)).putShort(at + 12, src.getShort(at + 12))
                            .putShort(at + 14, src.getShort(at + 14)).putLong(at + 16, src.getLong(at + 16));
                    options = at + 24;
                }
                case 1 -> {
                    out.putShort(at + 8, src.getShort(at + 8)).putShort(at + 10, src.getShort(at + 10))
                            .putInt(at + 12, src.getInt(at + 12));
                    options = at + 16;
                }
                default -> {
                    for (int k = 8; k < 28; k += 4) {
                        out.putInt(at + k, src.getInt(at + k));
                    }
                    options = at + 28 + ((src.getInt(at + 20) + 3) & ~3);
                }
            }
            swapOptions(src, out, options, at + length - 4, type);
            kept.write(out.array(), at, length);
            at += length;
        }
        return kept.toByteArray();
    }

    private static void swapOptions(ByteBuffer src, ByteBuffer out, int at, int end, int block) {
        while (at + 4 <= end) {
            int code = src.getShort(at) & 0xffff;
            int length = src.getShort(at + 2) & 0xffff;
            out.putShort(at, (short) code).putShort(at + 2, (short) length);
            // Numbers among the options: an interface's time resolution is a byte, its link speed and
            // time offset 8 bytes, a packet's flags 4.
            if (block == 1 && (code == 8 || code == 14) && length == 8) {
                out.putLong(at + 4, src.getLong(at + 4));
            } else if (block == 6 && code == 2 && length == 4) {
                out.putInt(at + 4, src.getInt(at + 4));
            } else if (block == 6 && code == 4 && length == 8) {
                out.putLong(at + 4, src.getLong(at + 4));
            }
            if (code == 0) {
                return;
            }
            at += 4 + ((length + 3) & ~3);
        }
    }
}
