package io.rampart.cli;

import io.rampart.model.extension.NameDatabase;
import io.rampart.trace.PacketSpec;
import picocli.CommandLine.Option;

/** The flags that describe one packet for {@code rampart trace}. */
final class PacketOptions {

    @Option(names = "--in", paramLabel = "IFACE", description = "Interface the packet arrives on.")
    String in;

    @Option(names = "--out", paramLabel = "IFACE", description = "Interface it leaves on (default: the route's).")
    String out;

    @Option(names = "--local", description = "The packet is sent by this host (OUTPUT), not received.")
    boolean local;

    @Option(names = "--src", paramLabel = "IP", description = "Source address.")
    String src;

    @Option(names = "--dst", paramLabel = "IP", description = "Destination address.")
    String dst;

    @Option(names = "--proto", paramLabel = "P", description = "Protocol name or number (default tcp).")
    String proto;

    @Option(names = "--sport", paramLabel = "N", description = "Source port (default 40000).")
    String sport;

    @Option(names = "--dport", paramLabel = "N", description = "Destination port (default 80).")
    String dport;

    @Option(names = "--tcp-flags", paramLabel = "FLAGS", description = "TCP flags set, of FIN, SYN, RST, PSH, ACK, URG, ECE and CWR,"
            + " e.g. SYN,ACK (default SYN).")
    String tcpFlags;

    @Option(names = "--icmp-type", paramLabel = "TYPE[/CODE]", description = "ICMP type (default echo-request).")
    String icmpType;

    @Option(names = "--ttl", paramLabel = "N", description = "TTL or hop limit (default 64).")
    String ttl;

    @Option(names = "--tos", paramLabel = "N", description = "TOS / traffic class byte (default 0).")
    String tos;

    @Option(names = "--length", paramLabel = "N", description = "Length of the IP packet in bytes,"
            + " IPv6's with its 40-byte header (default: the headers').")
    String length;

    @Option(names = "--mark", paramLabel = "N", description = "The packet's mark (default 0).")
    String mark;

    @Option(names = "--spi", paramLabel = "N",
            description = "SPI of an AH or ESP packet, CPI of an IPComp one (default 256).")
    String spi;

    @Option(names = "--ct-state", paramLabel = "S",
            description = "Conntrack state instead of the one a first packet gets: NEW, ESTABLISHED, RELATED, ...")
    String ctState;

    @Option(names = "--ct-mark", paramLabel = "N", description = "The mark of an ESTABLISHED or RELATED packet's"
            + " connection, which earlier packets may have set (default 0).")
    String ctMark;

    @Option(names = "--ct-nat", paramLabel = "SNAT,DNAT", description = "What NAT did to an ESTABLISHED or RELATED"
            + " packet's connection, for --ctstate SNAT/DNAT: SNAT, DNAT or both (default none).")
    String ctNat;

    PacketSpec spec() {
        return new PacketSpec(NameDatabase.system()).set("in", in).set("out", out)
                .set("local", local ? "true" : null).set("src", src).set("dst", dst).set("proto", proto)
                .set("sport", sport).set("dport", dport)
                .set("tcp_flags", tcpFlags).set("icmp_type", icmpType).set("ttl", ttl).set("tos", tos)
                .set("length", length).set("mark", mark).set("ct_state", ctState)
                .set("spi", spi).set("ct_mark", ctMark).set("ct_nat", ctNat);
    }
}
