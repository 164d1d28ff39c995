package io.rampart.system;

import static io.rampart.system.Differential.Case.v4;
import static io.rampart.system.Differential.Case.v6;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class NetworkMatchesKernelTest {

    @Test
    void icmpAndSctp() {
        Differential.check(List.of(
                v4("-A INPUT -p icmp --icmp-type 8:9"),
                v4("-A INPUT -p icmp --icmp-type 8/0:5"),
                v4("-A INPUT -p icmp --icmp-type 3/5:5"),
                v4("-A INPUT -p icmp --icmp-type 0x8/0x3"),
                v4("-A INPUT -p icmp --icmp-type 010"),
                v4("-A INPUT -p icmp --icmp-type 8/"),
                v4("-A INPUT -p icmp --icmp-type 8x"),
                v4("-A INPUT -p icmp --icmp-type 256"),
                v4("-A INPUT -p icmp --icmp-type 255/0"),
                v4("-A INPUT -p icmp --icmp-type 255/0:255"),
                v4("-A INPUT -p icmp --icmp-type 0/0:255"),
                v4("-A INPUT -p icmp --icmp-type ping"),
                v4("-A INPUT -p icmp --icmp-type pong"),
                v4("-A INPUT -p icmp --icmp-type tos-host"),
                v4("-A INPUT -p icmp --icmp-type network-unreachable"),
                v4("-A INPUT -p icmp --icmp-type redirect"),
                v4("-A INPUT -p icmp --icmp-type destination-unreachable"),
                v4("-A INPUT -p icmp --icmp-type"),
                v4("-A INPUT -p icmp -m icmp"),
                v4("-A INPUT ! -p icmp --icmp-type 8"),
                v4("-A INPUT ! -p icmp -m icmp --icmp-type 8"),
                v4("-A INPUT -p 1 --icmp-type 8"),
                v4("-A INPUT -p ICMP --icmp-type 8"),
                v4("-A INPUT -p icmp --icmp-t 8"),
                v4("-A INPUT -p icmp -m icmp --icmp-type 8 -m icmp --icmp-type 0"),
                v4("-A INPUT -p tcp -m icmp --icmp-type 8"),
                v4("-A INPUT -p icmp --icmp-type ttl-zero-during-transit"),
                v4("-A INPUT -p icmp --icmp-type time"),
                v4("-A INPUT -p icmp --icmp-type 13/255"),
                v4("-A INPUT -p sctp --dport 80:70"),
                v4("-A INPUT -p sctp --dport 0x50"),
                v4("-A INPUT -p sctp --dport 080"),
                v4("-A INPUT -p sctp --dport ssh"),
                v4("-A INPUT -p sctp --dport http"),
                v4("-A INPUT -p sctp --sport 0:65535"),
                v4("-A INPUT -p sctp ! --sport 0:65535"),
                v4("-A INPUT -p sctp ! --dport :1023"),
                v4("-A INPUT -p sctp --destination-port 5 --source-port 6:"),
                v4("-A INPUT -p sctp --chunk-types ANY data,init,Data"),
                v4("-A INPUT -p sctp --chunk-types only ALL"),
                v4("-A INPUT -p sctp --chunk-types only none"),
                v4("-A INPUT -p sctp ! --chunk-types any INIT,DATA:iUbE"),
                v4("-A INPUT -p sctp --chunk-types any DATA:I,DATA:e"),
                v4("-A INPUT -p sctp --chunk-types any ABORT:t,SHUTDOWN_COMPLETE:T"),
                v4("-A INPUT -p sctp --chunk-types any I_DATA:B"),
                v4("-A INPUT -p sctp --chunk-types any I_DATA,ASCONF,ASCONF_ACK,FORWARD_TSN,I_FORWARD_TSN,PAD,RE_CONFIG"),
                v4("-A INPUT -p sctp --chunk-types any INIT:X"),
                v4("-A INPUT -p sctp --chunk-types any FOO"),
                v4("-A INPUT -p sctp --chunk-types some DATA"),
                v4("-A INPUT -p sctp --chunk-types any"),
                v4("-A INPUT -p sctp --chunk-types any DATA,"),
                v4("-A INPUT -p sctp --chunk-types any DATA,,INIT"),
                v4("-A INPUT -p sctp --chunk-types any DATA:"),
                v4("-A INPUT -p sctp --chunk-types any DATA,INIT,INIT_ACK,SACK,HEARTBEAT,HEARTBEAT_ACK,ABORT,SHUTDOWN,SHUTDOWN_ACK,ERROR,COOKIE_ECHO,COOKIE_ACK,ECN_ECNE,ECN_CWR,SHUTDOWN_COMPLETE"),
                v4("-A INPUT -p sctp --dport 80 --dport 81"),
                v4("-A INPUT -m sctp --dport 80"),
                v4("-A INPUT -p tcp -m sctp --dport 80"),
                v4("-A INPUT -p sctp -m sctp"),
                v4("-A INPUT -p sctp --dport 65536"),
                v4("-A INPUT -p sctp --chunk-types any DATA:IUBE,DATA:iube")));
    }

    @Test
    void multiportIprangeAddrtypeLengthTtl() {
        Differential.check(List.of(
                v4("-A INPUT -p tcp -m multiport --ports 80,443:445,ssh"),
                v4("-A INPUT -p tcp -m multiport ! --dports 0x50,010"),
                v4("-A INPUT -p tcp -m multiport --dports 080"),
                v4("-A INPUT -p udp -m multiport --sports domain,ntp"),
                v4("-A INPUT -p sctp -m multiport --sports 1,2"),
                v4("-A INPUT -p dccp -m multiport --sports 1,2"),
                v4("-A INPUT -p udplite -m multiport --sports 1,2"),
                v4("-A INPUT -p icmp -m multiport --sports 1,2"),
                v4("-A INPUT -m multiport --sports 1,2"),
                v4("-A INPUT ! -p tcp -m multiport --sports 1,2"),
                v4("-A INPUT -p tcp -m multiport --sports 1,2 --dports 3"),
                v4("-A INPUT -p tcp -m multiport"),
                v4("-A INPUT -p tcp -m multiport --source-ports 1:2"),
                v4("-A INPUT -p tcp -m multiport --destination-ports 3:3"),
                v4("-A INPUT -p tcp -m multiport --dports 5:3"),
                v4("-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"),
                v4("-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"),
                v4("-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15"),
                v4("-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13:14,15"),
                v4("-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13:14"),
                v4("-A INPUT -p tcp -m multiport --dports 1,"),
                v4("-A INPUT -p tcp -m multiport --dports 1,,2"),
                v4("-A INPUT -p tcp -m multiport --dports :5"),
                v4("-A INPUT -p tcp -m multiport --dports 5:"),
                v4("-A INPUT -p tcp -m multiport --dports 443,80,80"),
                v4("-A INPUT -p tcp -m multiport --dports 1 ! --sports 2"),
                v4("-A INPUT -m iprange --src-range 1.2.3.4"),
                v4("-A INPUT -m iprange --src-range 1.2.3.9-1.2.3.4"),
                v4("-A INPUT -m iprange --src-range 001.2.3.4-1.2.3.5"),
                v4("-A INPUT -m iprange --src-range 1.2.3-1.2.3.5"),
                v4("-A INPUT -m iprange --src-range 1.2.3.4-1.2.3.5-1.2.3.6"),
                v4("-A INPUT -m iprange --dst-range 10.0.0.1-10.0.0.1"),
                v4("-A INPUT -m iprange"),
                v4("-A INPUT -m iprange --src-range localhost-1.2.3.4"),
                v4("-A INPUT -m iprange --src-range 1.2.3.4/24"),
                v4("-A INPUT -m iprange --dst 1.2.3.4-1.2.3.5"),
                v4("-A INPUT -m iprange --src-range 1.2.3.4-"),
                v4("-A INPUT -m addrtype"),
                v4("-A INPUT -m addrtype --src-type unspec,unicast,local,broadcast,anycast,multicast,blackhole,unreachable,prohibit,throw,nat,xresolve"),
                v4("-A INPUT -m addrtype --src-type LOCAL --limit-iface-in"),
                v4("-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in"),
                v4("-A INPUT -m addrtype --src-type LOCAL --limit-iface-out"),
                v4("-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-out"),
                v4("-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-in --limit-iface-out"),
                v4("-A INPUT -m addrtype --src-type foo"),
                v4("-A INPUT -m addrtype --src-type LOCAL,"),
                v4("-A INPUT -m addrtype ! --dst-type LOCAL ! --src-type UNICAST"),
                v4("-A INPUT -m addrtype --dst-type Local --src-type Local"),
                v4("-A INPUT -m addrtype --limit-iface-in"),
                v4("-A INPUT -m length --length 0x10:020"),
                v4("-A INPUT -m length --length 20:10"),
                v4("-A INPUT -m length --length :10"),
                v4("-A INPUT -m length --length 10:"),
                v4("-A INPUT -m length --length 65536"),
                v4("-A INPUT -m length --length 5:5"),
                v4("-A INPUT -m length --length 0:65535"),
                v4("-A INPUT -m length"),
                v4("-A INPUT -m length --length -5"),
                v4("-A INPUT -m ttl --ttl-lt 0x10"),
                v4("-A INPUT -m ttl ! --ttl-eq 010"),
                v4("-A INPUT -m ttl ! --ttl-lt 5"),
                v4("-A INPUT -m ttl --ttl 7"),
                v4("-A INPUT -m ttl --ttl 256"),
                v4("-A INPUT -m ttl --ttl-lt 5 --ttl-gt 2"),
                v4("-A INPUT -m ttl"),
                v4("-A INPUT -m ttl --ttl-e 4"),
                v4("-A INPUT -m ttl --tt 4")));
    }

    @Test
    void packetAndInterfaceMatches() {
        Differential.check(List.of(
                v4("-A INPUT -m pkttype --pkt-type host"),
                v4("-A INPUT -m pkttype ! --pkt-type BROADCAST"),
                v4("-A INPUT -m pkttype --pkt-type otherhost"),
                v4("-A INPUT -m pkttype --pkt-type unicast"),
                v4("-A INPUT -m pkttype --pkt-type 2"),
                v4("-A INPUT -m pkttype --pkt-type bcast"),
                v4("-A INPUT -m mac --mac-source 0:1:2:3:4:5"),
                v4("-A INPUT -m mac ! --mac-source 00:11:22:33:44:55"),
                v4("-A INPUT -m mac --mac-source 00-11-22-33-44-55"),
                v4("-A INPUT -m mac --mac-source 00:11:22:33:44"),
                v4("-A OUTPUT -m mac --mac-source 00:11:22:33:44:55"),
                v4("-A INPUT -m mac --mac-source 000:11:22:33:44:55"),
                v4("-A INPUT -m tos --tos 0x10"),
                v4("-A INPUT -m tos --tos 16/255"),
                v4("-A INPUT -m tos ! --tos Normal-Service"),
                v4("-A INPUT -m tos --tos minimize-cost"),
                v4("-A INPUT -m tos --tos Maximize-Throughput"),
                v4("-A INPUT -m tos --tos Maximize-Reliability"),
                v4("-A INPUT -m tos --tos Minimize-Cost"),
                v4("-A INPUT -m tos --tos 0x100"),
                v4("-A INPUT -m tos --tos 0xff/0x0f"),
                v4("-A INPUT -m tos --tos 0x1/"),
                v4("-A INPUT -m dscp --dscp 0x3f"),
                v4("-A INPUT -m dscp --dscp 64"),
                v4("-A INPUT -m dscp ! --dscp-class EF"),
                v4("-A INPUT -m dscp --dscp-class ef"),
                v4("-A INPUT -m dscp --dscp-class CS7"),
                v4("-A INPUT -m dscp --dscp-class BE"),
                v4("-A INPUT -m dscp --dscp-class AF43"),
                v4("-A INPUT -m dscp --dscp-class XX"),
                v4("-A INPUT -m dscp --dscp 1 --dscp-class EF"),
                v4("-A INPUT -m dscp"),
                v4("-A INPUT -m ecn --ecn-ip-ect 2"),
                v4("-A INPUT -m ecn ! --ecn-ip-ect 3"),
                v4("-A INPUT -m ecn --ecn-ip-ect 4"),
                v4("-A INPUT -p tcp -m ecn --ecn-tcp-cwr --ecn-ip-ect 2"),
                v4("-A INPUT -p tcp -m ecn ! --ecn-tcp-ece ! --ecn-tcp-cwr"),
                v4("-A INPUT -m ecn"),
                v4("-A INPUT -p udp -m ecn --ecn-tcp-ece"),
                v4("-A INPUT -p tcp -m tcpmss --mss 1460"),
                v4("-A INPUT -p tcp -m tcpmss ! --mss 0x10:020"),
                v4("-A INPUT -p tcp -m tcpmss --mss 30:20"),
                v4("-A INPUT -m tcpmss --mss 30"),
                v4("-A INPUT -p tcp -m tcpmss"),
                v4("-A FORWARD -m physdev --physdev-in eth+ ! --physdev-out br0 ! --physdev-is-in --physdev-is-out ! --physdev-is-bridged"),
                v4("-A FORWARD -m physdev --physdev-is-out --physdev-is-in"),
                v4("-A FORWARD -m physdev"),
                v4("-A INPUT -m physdev --physdev-out eth0"),
                v4("-A INPUT -m physdev --physdev-is-out"),
                v4("-A OUTPUT -m physdev --physdev-out eth0"),
                v4("-A OUTPUT -m physdev --physdev-is-bridged"),
                v4("-A INPUT -m physdev --physdev-is-bridged"),
                v4("-A FORWARD -m physdev --physdev-in 0123456789abcdef"),
                v4("-A FORWARD -m physdev --physdev-in 0123456789abcde"),
                v4("-A FORWARD -m physdev --physdev-in \"\""),
                v4("-A INPUT -m devgroup --src-group 0x10/0xff ! --dst-group 3"),
                v4("-A INPUT -m devgroup --dst-group 0xffffffff"),
                v4("-A INPUT -m devgroup"),
                v4("-A INPUT -m devgroup --src-group default"),
                v4("-A INPUT -m devgroup --src-group 010"),
                v4("-A INPUT -m realm --realm 0x10"),
                v4("-A INPUT -m realm ! --realm 3/7"),
                v4("-A INPUT -m realm --realm 3/"),
                v4("-A INPUT -m realm --realm foo"),
                v4("-A INPUT -m realm --realm 0"),
                v4("-A INPUT -m realm --realm 010/0x0ff"),
                v4("-A INPUT -m cpu --cpu 0x10"),
                v4("-A INPUT -m cpu ! --cpu 010"),
                v4("-A INPUT -m cpu --cpu 4294967295"),
                v4("-A INPUT -m cpu --cpu 4294967296"),
                v4("-A INPUT -m cpu")));
    }

    @Test
    void ipv6Matches() {
        Differential.check(List.of(
                v6("-A INPUT -p icmpv6 --icmpv6-type echo-request"),
                v6("-A INPUT -p ipv6-icmp --icmpv6-type 128/0"),
                v6("-A INPUT -p icmpv6 --icmpv6-type 1"),
                v6("-A INPUT -p icmpv6 --icmpv6-type 1/3"),
                v6("-A INPUT -p icmpv6 --icmpv6-type port-unreachable"),
                v6("-A INPUT -p icmpv6 --icmpv6-type neighbor-solicitation"),
                v6("-A INPUT -p icmpv6 ! --icmpv6-type 255"),
                v6("-A INPUT -p icmpv6 --icmpv6-type 255/0"),
                v6("-A INPUT -p icmpv6 --icmpv6-type 0x80/0:255"),
                v6("-A INPUT -p icmpv6 --icmpv6-type any"),
                v6("-A INPUT -p icmpv6 --icmpv6-type 3:4"),
                v6("-A INPUT -p icmpv6 --icmpv6-type neighbour"),
                v6("-A INPUT -p icmpv6 --icmpv6-type 2/7:3"),
                v6("-A INPUT -p icmp --icmpv6-type 1"),
                v6("-A INPUT -p icmpv6 -m icmp6"),
                v6("-A INPUT -m hl --hl-eq 5"),
                v6("-A INPUT -m hl ! --hl-eq 0x5"),
                v6("-A INPUT -m hl --hl-lt 5"),
                v6("-A INPUT -m hl --hl-gt 5"),
                v6("-A INPUT -m hl --hl 5"),
                v6("-A INPUT -m hl ! --hl-gt 5"),
                v6("-A INPUT -m frag --fragid 5"),
                v6("-A INPUT -m frag ! --fragid 5:10 ! --fraglen 8 --fragres --fragfirst --fragmore"),
                v6("-A INPUT -m frag --fraglast --fragfirst --fragres"),
                v6("-A INPUT -m frag --fragmore --fraglast"),
                v6("-A INPUT -m frag"),
                v6("-A INPUT -m frag --fragid 10:5"),
                v6("-A INPUT -m frag --fragid 0:4294967295"),
                v6("-A INPUT -m frag --fragid :7"),
                v6("-A INPUT -m frag --fragid 0x10"),
                v6("-A INPUT -m rt --rt-type 0 --rt-segsleft 2:3 --rt-len 8 --rt-0-res --rt-0-addrs ::1,2001:db8::1 --rt-0-not-strict"),
                v6("-A INPUT -m rt ! --rt-type 2 ! --rt-segsleft 3 ! --rt-len 5"),
                v6("-A INPUT -m rt --rt-0-res"),
                v6("-A INPUT -m rt --rt-type 0 --rt-0-addrs ::1"),
                v6("-A INPUT -m rt --rt-0-addrs ::1"),
                v6("-A INPUT -m rt --rt-type 0 --rt-0-not-strict"),
                v6("-A INPUT -m rt --rt-type 0 --rt-0-addrs ::1 --rt-0-not-strict"),
                v6("-A INPUT -m rt"),
                v6("-A INPUT -m rt --rt-segsleft 5:"),
                v6("-A INPUT -m rt --rt-type 0 --rt-0-addrs 2001:0db8::0001"),
                v6("-A INPUT -m ipv6header --header hop,dst"),
                v6("-A INPUT -m ipv6header ! --header ipv6-route,frag,auth,esp,none,prot --soft"),
                v6("-A INPUT -m ipv6header --header hop-by-hop,ipv6-opts,route,ipv6-frag,ah,ipv6-nonxt,protocol"),
                v6("-A INPUT -m ipv6header --header 0,60,43,44,51,50,59,255"),
                v6("-A INPUT -m ipv6header --header tcp"),
                v6("-A INPUT -m ipv6header --header 6"),
                v6("-A INPUT -m ipv6header --soft"),
                v6("-A INPUT -m ipv6header --header HOP"),
                v6("-A INPUT -m ipv6header --header hop,"),
                v6("-A INPUT -m ipv6header --header dst,hop,ipv6-route")));
    }

    @Test
    void tablesHooksAndFamilies() {
        Differential.check(List.of(
                Differential.Case.in(Family.IPV4, Table.NAT, "-A PREROUTING -m realm --realm 1"),
                Differential.Case.in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m realm --realm 1"),
                Differential.Case.in(Family.IPV4, Table.MANGLE, "-A PREROUTING -m mac --mac-source 0:1:2:3:4:5"),
                Differential.Case.in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m mac --mac-source 0:1:2:3:4:5"),
                Differential.Case.in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m devgroup --dst-group 3"),
                Differential.Case.in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m devgroup --src-group 3"),
                Differential.Case.in(Family.IPV4, Table.RAW, "-A PREROUTING -m devgroup --src-group 0x10/0xff"),
                Differential.Case.in(Family.IPV4, Table.NAT, "-A OUTPUT -m addrtype --dst-type LOCAL"
                        + " --limit-iface-out"),
                Differential.Case.in(Family.IPV6, Table.MANGLE, "-A OUTPUT -m physdev --physdev-out eth0"
                        + " --physdev-is-bridged"),
                Differential.Case.in(Family.IPV6, Table.MANGLE, "-A OUTPUT -m physdev --physdev-out eth0"
                        + " ! --physdev-is-bridged"),
                new Differential.Case(Family.IPV4, Table.FILTER, List.of(":USER - [0:0]"),
                        "-A USER -m devgroup --dst-group 3"),
                new Differential.Case(Family.IPV4, Table.FILTER, List.of(":USER - [0:0]"),
                        "-A USER -m mac --mac-source 00:11:22:33:44:55"),
                v6("-A INPUT -m ttl --ttl-eq 5"),
                v6("-A INPUT -m realm --realm 1"),
                v6("-A INPUT -p icmp --icmp-type 8"),
                v4("-A INPUT -m hl --hl-eq 5"),
                v4("-A INPUT -m frag --fragid 1"),
                v4("-A INPUT -m rt --rt-type 0"),
                v4("-A INPUT -m ipv6header --header hop"),
                v4("-A INPUT -m icmp6 --icmpv6-type 1"),
                v6("-A INPUT -p sctp --dport 80 --chunk-types any DATA:Be"),
                v6("-A INPUT -p udp -m multiport --dports 53,5353:5355"),
                v6("-A INPUT -m iprange --src-range 2001:db8::1-2001:db8::ff ! --dst-range ::1"),
                v6("-A INPUT -m iprange --src-range 1.2.3.4-1.2.3.5"),
                v6("-A INPUT -m addrtype --src-type LOCAL,UNICAST"),
                v6("-A INPUT -m addrtype --dst-type BLACKHOLE"),
                v6("-A INPUT -m addrtype --src-type broadcast"),
                v6("-A INPUT -m addrtype ! --src-type UNSPEC,UNICAST,LOCAL,ANYCAST,MULTICAST,UNREACHABLE"),
                v6("-A INPUT -m addrtype --dst-type THROW"),
                v6("-A INPUT -m addrtype --dst-type xresolve"),
                v6("-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-in"),
                v6("-A INPUT -m length --length 40:1500"),
                v6("-A INPUT -m pkttype --pkt-type mcast"),
                v6("-A INPUT -m mac --mac-source aa:bb:cc:dd:ee:ff"),
                v6("-A INPUT -m tos --tos 0x10"),
                v6("-A INPUT -m dscp --dscp-class af21"),
                v6("-A INPUT -p tcp -m ecn --ecn-tcp-ece --ecn-ip-ect 1"),
                v6("-A INPUT -p tcp -m tcpmss --mss 1220:"),
                v6("-A FORWARD -m physdev --physdev-in veth+"),
                v6("-A INPUT -m devgroup --src-group default"),
                v6("-A INPUT -m cpu --cpu 3")));
    }

    @Test
    void optionsReadInOrder() {
        // iptables reads options left to right: what an option needs must come before it.
        Differential.check(List.of(
                v4("-A INPUT -m multiport --dports 1 -p tcp -j ACCEPT"),
                v4("-A INPUT -m multiport -p tcp --dports 1 -j ACCEPT"),
                v4("-A INPUT -m sctp --dport 1 -p sctp -j ACCEPT"),
                v4("-A INPUT -m tcp --dport ssh -p tcp -j ACCEPT"),
                v4("-A INPUT -m tcpmss --mss 5 -p tcp -j ACCEPT"),
                v4("-A INPUT -m ecn --ecn-tcp-ece -p tcp -j ACCEPT"),
                v6("-A INPUT -m rt --rt-0-addrs ::1 --rt-type 0 -j ACCEPT"),
                v6("-A INPUT -m rt --rt-type 0 --rt-0-addrs ::1 -j ACCEPT"),
                v6("-A INPUT -m rt --rt-0-res --rt-type 0 -j ACCEPT"),
                v6("-A INPUT -m rt --rt-type 0 --rt-0-res -j ACCEPT"),
                v6("-A INPUT -m rt ! --rt-type 0 --rt-0-res -j ACCEPT"),
                v6("-A INPUT -m rt --rt-type 0 --rt-0-not-strict --rt-0-addrs ::1 -j ACCEPT"),
                v6("-A INPUT -m rt --rt-type 0 --rt-0-addrs ::1 --rt-0-not-strict -j ACCEPT")));
    }

    @Test
    void numbersWithBlanksAndPlus() {
        Differential.check(List.of(
                v4("-A INPUT -m length --length \" 5\" -j ACCEPT"),
                v4("-A INPUT -m length --length \" 5: +7\" -j ACCEPT"),
                v4("-A INPUT -m length --length \"5 \" -j ACCEPT"),
                v4("-A INPUT -m length --length 0x+5 -j ACCEPT"),
                v4("-A INPUT -m length --length 08 -j ACCEPT"),
                v4("-A INPUT -m ttl --ttl-eq +5 -j ACCEPT"),
                v4("-A INPUT -m ttl --ttl-eq 0x5 -j ACCEPT"),
                v6("-A INPUT -m hl --hl-gt \"\t5\" -j ACCEPT"),
                v4("-A INPUT -p tcp -m tcpmss --mss \" +5\" -j ACCEPT"),
                v4("-A INPUT -m cpu --cpu \" 5\" -j ACCEPT"),
                v4("-A INPUT -m dscp --dscp +5 -j ACCEPT"),
                v4("-A INPUT -m dscp --dscp-class CS1xyz -j ACCEPT"),
                v4("-A INPUT -m dscp --dscp-class af41x -j ACCEPT"),
                v4("-A INPUT -m tos --tos \" 5\" -j ACCEPT"),
                v4("-A INPUT -m tos --tos \" 0x10/+0x3f\" -j ACCEPT"),
                v4("-A INPUT -m tos --tos 0x5x -j ACCEPT"),
                v4("-A INPUT -p sctp --dport \" 5\" -j ACCEPT"),
                v4("-A INPUT -p tcp -m multiport --dports \" 0x10,+20: 30\" -j ACCEPT"),
                v4("-A INPUT -p icmp --icmp-type \" 5/ 1\" -j ACCEPT"),
                v4("-A INPUT -p icmp --icmp-type 5/+1 -j ACCEPT"),
                v4("-A INPUT -m devgroup --src-group \" 0x5/ 0xf\" -j ACCEPT"),
                v4("-A INPUT -m realm --realm +5 -j ACCEPT"),
                v6("-A INPUT -m frag --fragid \" 5: +7\" -j ACCEPT"),
                v6("-A INPUT -m frag --fraglen +5 -j ACCEPT"),
                v6("-A INPUT -m rt --rt-type \" 5\" -j ACCEPT")));
    }

    @Test
    void generatedSpellings() {
        Random random = new Random(20261124);
        List<Differential.Case> cases = new ArrayList<>();
        generate(cases, random, 40, r -> v4("-A INPUT -p " + pick(r, "icmp", "ICMP", "1") + " "
                + neg(r) + pick(r, "--icmp-type", "--icmp-t", "--icmp-typ") + " "
                + pick(r, "echo-request", "ECHO-REPLY", "host-unr", "redirect", "any", "8", "0x3/0x1", "3/1:4",
                "011", "255/3", "256", "3/", "ttl-zero", "ping", "TOS-network-redirect", "17/0:255")));
        generate(cases, random, 40, r -> v6("-A INPUT -p " + pick(r, "icmpv6", "ipv6-icmp", "58", "IPv6-ICMP") + " "
                + neg(r) + pick(r, "--icmpv6-type", "--icmpv6-t") + " "
                + pick(r, "echo-request", "pong", "neighbor-adv", "no-route", "1/0x4", "128", "2/0:255", "4/9:1",
                "mld-listener", "redirect", "300", "any", "packet-too-big", "0200")));
        generate(cases, random, 40, r -> v4("-A INPUT -p sctp " + neg(r) + pick(r, "--sport", "--source-port",
                "--dport", "--destination-p") + " " + pick(r, "1", "0x10", "010", "5:", ":9", "9:5", "65535", "x")
                + " " + neg(r) + pick(r, "--chunk-types", "--chunk") + " " + pick(r, "any", "ALL", "Only") + " "
                + pick(r, "DATA", "data:ub", "INIT,ABORT:T", "ALL", "none", "COOKIE_ECHO,SACK,DATA:iE", "I_DATA:I",
                "SHUTDOWN_COMPLETE:t,HEARTBEAT", "INIT:I", "BOGUS")));
        generate(cases, random, 40, r -> v4("-A INPUT -p " + pick(r, "tcp", "udp", "sctp", "udplite", "icmp")
                + " -m multiport " + neg(r) + pick(r, "--sports", "--dports", "--ports", "--source-ports",
                "--destination-p", "--sp") + " " + pick(r, "22", "ssh,http", "domain", "1:1024,8080", "0x16,025",
                "5:5", "1,2,3,4,5,6,7,8,9,10,11,12,13,14:15", "80,", "ntp:123")));
        generate(cases, random, 30, r -> v4("-A INPUT -m iprange " + neg(r) + pick(r, "--src-range",
                "--dst-range", "--src") + " " + pick(r, "10.0.0.1-10.0.0.9", "10.0.0.9-10.0.0.1", "10.1", "0x7f.0.0.1",
                "010.0.0.1-10.0.0.010", "1.2.3.4/8", "1.2.3.4-", "::1", "256.0.0.1")));
        generate(cases, random, 30, r -> new Differential.Case(Family.IPV4, Table.FILTER, List.of(),
                "-A " + pick(r, "INPUT", "OUTPUT", "FORWARD") + " -m addrtype " + neg(r)
                        + pick(r, "--src-type", "--dst-type") + " " + pick(r, "local", "LOCAL,unicast", "multicast,broadcast,anycast",
                        "NAT", "Xresolve,throw", "bogus") + pick(r, "", "", " --limit-iface-in", " --limit-iface-out")));
        generate(cases, random, 30, r -> v4("-A INPUT -m " + pick(r, "length --length", "length --len",
                "cpu --cpu", "ttl --ttl-eq", "ttl --ttl-lt", "ttl --ttl-gt", "ttl --ttl") + " "
                + pick(r, "0", "64", "0x40", "0100", "255", "256", "1500:40", ":100", "40:", "-1", "4294967295")));
        generate(cases, random, 30, r -> v6("-A INPUT " + neg(r) + pick(r, "-m hl --hl-eq", "-m hl --hl-lt",
                "-m hl --hl", "-m frag --fragid", "-m frag --fraglen", "-m rt --rt-type", "-m rt --rt-segsleft",
                "-m rt --rt-len") + " " + pick(r, "0", "7", "0x7", "010", "255", "300", "5:9", "9:5", ":3",
                "0:4294967295", "4294967296")));
        generate(cases, random, 30, r -> v4("-A INPUT " + pick(r, "-m tos", "-m tos", "-m dscp", "-m dscp",
                "-p tcp -m tcpmss", "-p tcp -m ecn", "-m realm", "-m devgroup") + " " + neg(r)
                + pick(r, "--tos", "--dscp", "--dscp-class", "--mss", "--ecn-ip-ect", "--realm", "--src-group")
                + " " + pick(r, "0x10", "16/0x3f", "normal-service", "MAXIMIZE-THROUGHPUT", "ef", "AF13", "cs8",
                "63", "64", "3", "536:1460", "cosmos", "default", "0x5/0xf", "0xffffffff")));
        generate(cases, random, 30, r -> v4("-A FORWARD " + pick(r, "-m pkttype", "-m mac", "-m physdev") + " "
                + neg(r) + pick(r, "--pkt-type", "--mac-source", "--physdev-in", "--physdev-out", "--physdev-is-in",
                "--physdev-is-bridged") + " " + pick(r, "Host", "bcast", "OUTGOING", "loopback",
                "0A:0b:C:d:E:f", "00:11:22:33:44:555", "br-lan", "eth+", "0123456789abcdef", "-j ACCEPT")));
        generate(cases, random, 30, r -> v6("-A INPUT -m ipv6header " + neg(r) + pick(r, "--header", "--head")
                + " " + pick(r, "hop", "dst,route", "HOPOPT", "ipv6-frag,ah,esp", "none,prot", "50,51,0",
                "IPv6-Opts", "Esp", "tcp", "frag,", "255") + pick(r, "", " --soft")));
        Differential.check(cases);
    }

    private static void generate(List<Differential.Case> into, Random random, int count,
                                 Function<Random, Differential.Case> make) {
        for (int i = 0; i < count; i++) {
            into.add(make.apply(random));
        }
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String neg(Random random) {
        return random.nextInt(4) == 0 ? "! " : "";
    }
}
