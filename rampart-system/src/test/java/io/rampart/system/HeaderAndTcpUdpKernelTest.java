package io.rampart.system;

import static io.rampart.system.Differential.Case.v4;
import static io.rampart.system.Differential.Case.v6;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeaderAndTcpUdpKernelTest {

    @Test
    void headerOptions() {
        Differential.check(List.of(
                v4("-A INPUT -s 10.1.2.3/255.255.0.0 -j ACCEPT"),
                v4("-A INPUT --src 10.1.2.3/16 --dst 192.0.2.1 -j DROP"),
                v4("-A FORWARD -f -o eth1 -i eth0 -p udp -d 1.2.3.4 -s 5.6.7.8/255.255.0.255 -j ACCEPT"),
                v4("-A INPUT ! -p tcp ! -s 1.2.3.4 ! -i lo+ -j ACCEPT"),
                v4("-A INPUT -s ! 1.2.3.4 -j ACCEPT"),
                v4("-A INPUT -p ! tcp -j ACCEPT"),
                v4("-A INPUT -o eth0 -j ACCEPT"),
                v4("-A OUTPUT -i eth0 -j ACCEPT"),
                v4("-A INPUT -p all -j ACCEPT"),
                v4("-A INPUT ! -p all -j ACCEPT"),
                v4("-A INPUT -p 4 -j ACCEPT"),
                v4("-A INPUT -p IPENCAP -j ACCEPT"),
                v4("-A INPUT -p 132 -j ACCEPT"),
                v4("-A INPUT -p 255 -j ACCEPT"),
                v4("-A INPUT -p 256 -j ACCEPT"),
                v4("-A INPUT -p nosuchproto -j ACCEPT"),
                v4("-A INPUT -s 10.0.0.1,10.0.0.2 -d 192.0.2.0/24,198.51.100.7 -j ACCEPT"),
                v4("-A INPUT -s 0/0 -d 0.0.0.0/0 -j ACCEPT"),
                v4("-A INPUT -s 10.0.0.0/33 -j ACCEPT"),
                v4("-A INPUT -s 300.1.1.1 -j ACCEPT"),
                v4("-A INPUT -s localhost -j ACCEPT"),
                v4("-A INPUT -s 22 -j ACCEPT"),
                v4("-A INPUT -s 10.1 -d 10.1.2/24 -j ACCEPT"),
                v4("-A INPUT -s 010.0.0.1 -d 0x0a.0.0.0x1 -j ACCEPT"),
                v4("-A INPUT -s 10.0.0.1/0xff.0.0.0 -j ACCEPT"),
                v4("-A INPUT -s 10..0.1 -j ACCEPT"),
                v4("-A INPUT -s 1.2.3.4.5 -j ACCEPT"),
                v4("-A INPUT -i eth+ -j ACCEPT"),
                v4("-A INPUT -i 0123456789abcdef -j ACCEPT"),
                new Differential.Case(Family.IPV4, Table.FILTER, List.of(":USERCHAIN - [0:0]"),
                        "-A INPUT -p tcp -g USERCHAIN"),
                v4("-A INPUT -g ACCEPT"),
                Differential.Case.in(Family.IPV4, Table.NAT, "-A PREROUTING -j DROP"),
                Differential.Case.in(Family.IPV6, Table.NAT, "-A POSTROUTING -j DROP"),
                Differential.Case.in(Family.IPV4, Table.NAT, "-A PREROUTING -j ACCEPT"),
                Differential.Case.in(Family.IPV4, Table.RAW, "-A PREROUTING -j DROP"),
                v4("-A INPUT"),
                v4("-A INPUT -p tcp"),
                v4("-A INPUT -c 10 20 -p tcp -j ACCEPT"),
                v4("-A INPUT -ptcp -s10.0.0.1 -j ACCEPT"),
                v4("-A INPUT --protocol=udp --source=10.0.0.0/8 -j ACCEPT"),
                v6("-A FORWARD -p tcp -s ::ffff:1.2.3.4 -d 2001:0db8:0:0:1:0:0:1/ffff:ffff:: -i lo -j ACCEPT"),
                v6("-A FORWARD -p icmpv6 -s 2001:db8:0:1:0:0:0:0/64 -j ACCEPT"),
                v6("-A FORWARD -p 58 -s ::1.2.3.4 -d 1:0:0:0:0:0:0:0 -j ACCEPT"),
                v6("-A FORWARD -p mh -s 2001:db8:0:0:1::/80 -j ACCEPT"),
                v6("-A FORWARD -s 2001:db8::1,2001:db8::2 -j ACCEPT"),
                v6("-A FORWARD -s 10.0.0.1 -j ACCEPT"),
                v6("-A FORWARD -f -j ACCEPT"),
                v6("-A FORWARD -s ::/0 -d fe80::1:0:0:0/96 -j ACCEPT")));
    }

    @Test
    void tcpAndUdp() {
        Differential.check(List.of(
                v4("-A INPUT -p tcp --dport ssh -j ACCEPT"),
                v4("-A INPUT -p tcp --destination-port 22:80 --source-port 1024: -j ACCEPT"),
                v4("-A INPUT -p tcp --sport :1023 -j ACCEPT"),
                v4("-A INPUT -p tcp --dport 80:22 -j ACCEPT"),
                v4("-A INPUT -p tcp --dport 0:65535 -j ACCEPT"),
                v4("-A INPUT -p tcp ! --dport 1024: -j ACCEPT"),
                v4("-A INPUT -p tcp ! --dport 0:65534 -j ACCEPT"),
                v4("-A INPUT -p tcp ! --sport 5:3 -j ACCEPT"),
                v4("-A INPUT -p tcp --sport 5:3 -j ACCEPT"),
                v4("-A INPUT -p tcp --dport 010 -j ACCEPT"),
                v4("-A INPUT -p tcp --dport 65536 -j ACCEPT"),
                v4("-A INPUT -p tcp --dport 22 --dport 23 -j ACCEPT"),
                v4("-A INPUT -p tcp --syn -j ACCEPT"),
                v4("-A INPUT -p tcp ! --syn -j ACCEPT"),
                v4("-A INPUT -p tcp --tcp-flags ALL NONE -j DROP"),
                v4("-A INPUT -p tcp --tcp-flags syn,ack,fin SYN,ACK -j DROP"),
                v4("-A INPUT -p tcp ! --tcp-flags ALL FIN,URG,PSH -j DROP"),
                v4("-A INPUT -p tcp --tcp-option 2 -j DROP"),
                v4("-A INPUT -p tcp ! --tcp-option 8 --dport 443 -j DROP"),
                v4("-A INPUT -p tcp --dp 22 -j ACCEPT"),
                v4("-A INPUT -p tcp --dprot 22 -j ACCEPT"),
                v4("-A INPUT --dport 22 -j ACCEPT"),
                v4("-A INPUT -m tcp -p tcp --dport 22 -j ACCEPT"),
                v4("-A INPUT -p tcp -m tcp -j ACCEPT"),
                v4("-A INPUT -p udp --dport domain -j ACCEPT"),
                v4("-A INPUT -p udp --sport 53 --dport 1024:65535 -j ACCEPT"),
                v4("-A INPUT -p udp --syn -j ACCEPT"),
                v4("-A INPUT -p udp --dport=53 -j ACCEPT"),
                v4("-A INPUT -p udp ! --dport 53 -j ACCEPT"),
                v4("-A INPUT -p udp --dport ! 53 -j ACCEPT"),
                v4("-A INPUT -p udplite --dport 53 -j ACCEPT"),
                v6("-A INPUT -p tcp --dport 22 --tcp-flags SYN,RST SYN -j ACCEPT"),
                v6("-A INPUT -p udp --sport 546 --dport 547 -j ACCEPT")));
    }

    @Test
    void longOptionAbbreviations() {
        // getopt_long: a prefix of one option is that option; of several (iptables' own too) it is refused.
        Differential.check(List.of(
                v4("-A INPUT -m quota --q 5 -j ACCEPT"),
                v4("-A INPUT -m quota --qu 5 -j ACCEPT"),
                v4("-A INPUT --p tcp -j ACCEPT"),
                v4("-A INPUT --pr tcp -j ACCEPT"),
                v4("-A INPUT --po tcp -j ACCEPT"),
                v4("-A INPUT --s 1.2.3.4 -j ACCEPT"),
                v4("-A INPUT --sr 1.2.3.4 -j ACCEPT"),
                v4("-A INPUT --d 1.2.3.4 -j ACCEPT"),
                v4("-A INPUT --ds 1.2.3.4 -j ACCEPT"),
                v4("-A INPUT --i lo -j ACCEPT"),
                v4("-A INPUT --in lo -j ACCEPT"),
                v4("-A OUTPUT --o lo -j ACCEPT"),
                v4("-A OUTPUT --ou lo -j ACCEPT"),
                v4("-A INPUT --f -j ACCEPT"),
                v4("-A INPUT --fr -j ACCEPT"),
                v4("-A INPUT -p tcp --j ACCEPT"),
                v4("-A INPUT -p tcp --ju ACCEPT"),
                v4("-A INPUT --m tcp -p tcp -j ACCEPT"),
                v4("-A INPUT --ma tcp -p tcp -j ACCEPT"),
                v4("-A INPUT -p tcp --dp 22 -j ACCEPT"),
                v4("-A INPUT -p tcp --sp 22 -j ACCEPT"),
                v4("-A INPUT -p tcp --de 22 -j ACCEPT"),
                v4("-A INPUT -p tcp --sy -j ACCEPT"),
                v4("-A INPUT -p tcp --dport 22 --d 1.2.3.4 -j ACCEPT"),
                v4("-A INPUT -m mark --m 1 -j ACCEPT"),
                v4("-A INPUT -m mark --mar 1 -m mark --mar 2 -j ACCEPT"),
                v4("-A INPUT -m comment --c x -j ACCEPT"),
                v4("-A INPUT -m recent --u -j ACCEPT"),
                v4("-A INPUT -m recent --r -j ACCEPT"),
                v4("-A INPUT -m policy --dir in --pro esp -j ACCEPT"),
                v4("-A INPUT -j LOG --l x"),
                v4("-A INPUT -j LOG --log-p x"),
                v4("-A INPUT -m limit --l 5/s -j ACCEPT"),
                v4("--ap INPUT -j ACCEPT"),
                v4("--a INPUT -j ACCEPT"),
                v4("-A INPUT --table filter -j ACCEPT"),
                v4("-A INPUT --set-c 1 2 -j ACCEPT"),
                v4("-A INPUT -c 1 2 --se 1 2 -j ACCEPT")));
    }

    @Test
    void numbersWithBlanksAndPlus() {
        // xtables reads numbers with strtoul after refusing a minus: leading blanks and `+' pass.
        Differential.check(List.of(
                v4("-A INPUT -p \" 6\" -j ACCEPT"),
                v4("-A INPUT -p \" 0x6\" -j ACCEPT"),
                v4("-A INPUT -p 010 -j ACCEPT"),
                v4("-A INPUT -p -5 -j ACCEPT"),
                v4("-A INPUT -p tcp --dport \" 5\" -j ACCEPT"),
                v4("-A INPUT -p tcp --dport +5 -j ACCEPT"),
                v4("-A INPUT -p tcp --dport \" 0x10: 020\" -j ACCEPT"),
                v4("-A INPUT -p tcp --dport -5 -j ACCEPT"),
                v4("-A INPUT -p tcp --dport \"5 \" -j ACCEPT"),
                v4("-A INPUT -p tcp --tcp-option \"\t5\" -j ACCEPT"),
                v4("-A INPUT -p udp --dport \" +5: 7\" -j ACCEPT"),
                v4("-A INPUT -p udp --dport 70000 -j ACCEPT"),
                v4("-A INPUT -p udp --dport 65536 -j ACCEPT"),
                v4("-A INPUT -p udp --dport 2147483648 -j ACCEPT"),
                v4("-A INPUT -p udp --dport 4294967296 -j ACCEPT"),
                v4("-A INPUT -p udp --dport -5 -j ACCEPT"),
                v4("-A INPUT -p udp --dport 0x50 -j ACCEPT")));
    }

    @Test
    void generatedPortSpellings() {
        Random random = new Random(20261124);
        String[] names = {"ssh", "http", "https", "domain", "ntp", "smtp", "0", "1", "65535", "8080", "08", "0x50"};
        List<Differential.Case> cases = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String proto = random.nextBoolean() ? "tcp" : "udp";
            String port = names[random.nextInt(names.length)];
            String range = switch (random.nextInt(4)) {
                case 0 -> port;
                case 1 -> port + ":" + names[random.nextInt(names.length)];
                case 2 -> ":" + port;
                default -> port + ":";
            };
            String option = random.nextBoolean() ? "--dport" : "--sport";
            String negation = random.nextInt(4) == 0 ? "! " : "";
            cases.add(v4("-A INPUT -p " + proto + " " + negation + option + " " + range + " -j ACCEPT"));
        }
        Differential.check(cases);
    }
}
