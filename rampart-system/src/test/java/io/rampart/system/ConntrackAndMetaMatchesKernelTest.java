package io.rampart.system;

import static io.rampart.system.Differential.Case.in;
import static io.rampart.system.Differential.Case.v4;
import static io.rampart.system.Differential.Case.v6;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConntrackAndMetaMatchesKernelTest {

    @Test
    void conntrackAndState() {
        Differential.check(List.of(
                v4("-A INPUT -m conntrack --ctstate e,r,i,n -j ACCEPT"),
                v4("-A INPUT -m conntrack ! --ctstate new,untracked,snat,dnat"),
                v4("-A INPUT -m conntrack --ctstate NEWX"),
                v4("-A INPUT -m conntrack --ctstate NEW,"),
                v4("-A INPUT -m conntrack --ctstate ,NEW"),
                v4("-A INPUT -m conntrack --ctstate=NeW --ctexpire 00"),
                v4("-A INPUT -m conntrack --ctproto tcp --ctorigsrc 10.1.2.3/8 --ctorigdst 1.2.3.4/255.0.255.0"
                        + " --ctreplsrc 0/0 ! --ctrepldst 1.1.1.1"),
                v4("-A INPUT -m conntrack --ctproto all"),
                v4("-A INPUT -m conntrack ! --ctproto 0"),
                v4("-A INPUT -m conntrack --ctproto TCP --ctorigsrc 1.2.3.4/0.0.0.0"),
                v4("-A INPUT -m conntrack --ctproto IPENCAP"),
                v4("-A INPUT -m conntrack --ctproto IP-ENCAP --ctorigsrc 1.2.3.4/8.0"),
                v4("-A INPUT -m conntrack --ctproto 256"),
                v4("-A INPUT -m conntrack --ctproto 0x11"),
                v4("-A INPUT -m conntrack --ctorigsrc 1.2.3.4/33 --ctrepldst 1.2.3.4/128.0.0.0"),
                v4("-A INPUT -m conntrack --ctorigsrc 1.2.3.4/255.255.0.255 --ctreplsrc 1.2.3.4/32"),
                v4("-A INPUT -m conntrack --ctorigsrc localhost"),
                v4("-A INPUT -m conntrack --ctorigsrc 10.0.0.1,10.0.0.2"),
                v4("-A INPUT -m conntrack --ctorigsrcport 5:0 --ctorigdstport ssh --ctreplsrcport 10:20"
                        + " ! --ctrepldstport 20:10"),
                v4("-A INPUT -m conntrack --ctorigsrcport :80 --ctorigdstport 80: --ctreplsrcport :"),
                v4("-A INPUT -m conntrack --ctorigsrcport 0x10"),
                v4("-A INPUT -m conntrack --ctorigsrcport 65537 --ctorigdstport 70000:4294967296"),
                v4("-A INPUT -m conntrack --ctorigsrcport 4294967295"),
                v4("-A INPUT -m conntrack --ctorigsrcport -1"),
                v4("-A INPUT -m conntrack --ctorigsrcport 1:2:3"),
                v4("-A INPUT -m conntrack --ctstatus none --ctexpire 5:3"),
                v4("-A INPUT -m conntrack --ctstatus ex,seen,assured,confirmed --ctexpire 010"),
                v4("-A INPUT -m conntrack --ctstatus none,assured --ctexpire 4294967295"),
                v4("-A INPUT -m conntrack --ctstatus SEEN_REPLYX"),
                v4("-A INPUT -m conntrack --ctexpire 4294967296"),
                v4("-A INPUT -m conntrack --ctexpire :7 --ctdir reply"),
                v4("-A INPUT -m conntrack --ctexpire 7: --ctdir original"),
                v4("-A INPUT -m conntrack --ctexpire 0x10:0x20"),
                v4("-A INPUT -m conntrack --ctexpire 1:2:3"),
                v4("-A INPUT -m conntrack ! --ctdir original"),
                v4("-A INPUT -m conntrack --ctdir orig"),
                v4("-A INPUT -m conntrack --ctdir REPLY --ctdir ORIGINAL"),
                v4("-A INPUT -m conntrack"),
                v4("-A INPUT -m conntrack --ctstat NEW"),
                v4("-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate INVALID"),
                v4("-A INPUT -m state --state NEW,established"),
                v4("-A INPUT -m state ! --state i,U"),
                v4("-A INPUT -m state --state SNAT"),
                v4("-A INPUT -m state"),
                v4("-A INPUT -m state --state NEW --state INVALID"),
                v6("-A INPUT -m conntrack --ctorigsrc 2001:db8::1/64 --ctorigdst ::/0 ! --ctreplsrc ::1"
                        + " --ctrepldst 2001:db8::/ffff:ffff::ffff"),
                v6("-A INPUT -m conntrack --ctproto ipv6-icmp --ctorigsrcport 10:20 --ctstate NEW"),
                v6("-A INPUT -m conntrack --ctorigsrc 1.2.3.4"),
                v6("-A INPUT -m conntrack --ctorigsrc 2001:db8::1/129"),
                v6("-A INPUT -m state --state RELATED")));
    }

    @Test
    void commentMarkHelper() {
        String a255 = "a".repeat(255);
        Differential.check(List.of(
                v4("-A INPUT -m comment --comment \"hello world\""),
                v4("-A INPUT -m comment --comment abc_-9"),
                v4("-A INPUT -m comment --comment \"it's \\\"q\\\" \\\\ x\""),
                v4("-A INPUT -m comment --comment \"\""),
                v4("-A INPUT -m comment"),
                v4("-A INPUT -m comment --comment " + a255),
                v4("-A INPUT -m comment --comment " + a255 + "b"),
                v4("-A INPUT -m comment --comment \"\u00fc" + a255 + "\""),
                v4("-A INPUT -m comment ! --comment x"),
                v4("-A INPUT -m mark --mark 5 -m mark ! --mark 0x10/0xff -m mark --mark 010/0xffffffff"),
                v4("-A INPUT -m mark --mark 0x100000000"),
                v4("-A INPUT -m mark --mark 1/"),
                v4("-A INPUT -m mark"),
                v4("-A INPUT -m connmark --mark 5/7 -m connmark ! --mark 0"),
                v4("-A INPUT -m helper --helper ftp -m helper ! --helper \"ftp-21\" -m helper --helper \"\""),
                v4("-A INPUT -m helper --helper " + "h".repeat(29)),
                v4("-A INPUT -m helper --helper " + "h".repeat(30)),
                v4("-A INPUT -m helper --helper \"a b\""),
                v4("-A INPUT -m helper"),
                v6("-A INPUT -m comment --comment \"v6 rule\" -m mark --mark 0xff/0xf0"),
                v6("-A INPUT -m helper --helper sip -m connmark ! --mark 1")));
    }

    @Test
    void ownerCgroupSocketRpfilter() {
        Differential.check(List.of(
                v4("-A OUTPUT -m owner --uid-owner root --gid-owner 0 --suppl-groups ! --socket-exists"),
                v4("-A OUTPUT -m owner --gid-owner daemon --uid-owner 1-0x10"),
                v4("-A OUTPUT -m owner --uid-owner 5:5 ! --gid-owner 3:7"),
                v4("-A OUTPUT -m owner --gid-owner 7:3"),
                v4("-A OUTPUT -m owner --uid-owner 4294967295"),
                v4("-A OUTPUT -m owner --uid-owner 4294967294"),
                v4("-A OUTPUT -m owner --suppl-groups --gid-owner 1"),
                v4("-A OUTPUT -m owner ! --suppl-groups --gid-owner 1"),
                v4("-A OUTPUT -m owner --uid-owner nosuchuser"),
                v4("-A OUTPUT -m owner"),
                v4("-A OUTPUT -m owner --uid-owner 010 --gid-owner bin"),
                v4("-A OUTPUT -m owner --pid-owner 1"),
                v4("-A INPUT -m owner --uid-owner 0"),
                v4("-A FORWARD -m owner --uid-owner 0"),
                in(Family.IPV4, Table.NAT, "-A POSTROUTING -m owner --uid-owner 0"),
                in(Family.IPV4, Table.NAT, "-A INPUT -m owner --uid-owner 0"),
                in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m owner --socket-exists"),
                v6("-A OUTPUT -m owner --uid-owner 0-100 --gid-owner root"),
                v4("-A OUTPUT -m cgroup --cgroup 5"),
                v4("-A OUTPUT -m cgroup ! --cgroup 0x10"),
                v4("-A OUTPUT -m cgroup --path /"),
                v4("-A OUTPUT -m cgroup ! --path /"),
                v4("-A OUTPUT -m cgroup --path / --cgroup 1"),
                v4("-A OUTPUT -m cgroup --cgroup 4294967296"),
                v4("-A OUTPUT -m cgroup"),
                v4("-A INPUT -m cgroup --cgroup 1"),
                v4("-A FORWARD -m cgroup --cgroup 1"),
                in(Family.IPV4, Table.MANGLE, "-A PREROUTING -m cgroup --cgroup 1"),
                in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m cgroup --cgroup 1"),
                v6("-A OUTPUT -m cgroup --cgroup 7"),
                v4("-A INPUT -m socket -m socket --transparent --nowildcard --restore-skmark -m socket --nowildcard"),
                v4("-A INPUT -m socket --restore-skmark --transparent"),
                v4("-A INPUT -m socket ! --transparent"),
                v4("-A OUTPUT -m socket"),
                v4("-A FORWARD -m socket"),
                in(Family.IPV4, Table.NAT, "-A PREROUTING -m socket"),
                in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m socket"),
                v6("-A INPUT -m socket --transparent --nowildcard"),
                in(Family.IPV4, Table.RAW, "-A PREROUTING -m rpfilter --loose --validmark --accept-local --invert"),
                in(Family.IPV4, Table.RAW, "-A PREROUTING -m rpfilter --invert --loose"),
                in(Family.IPV4, Table.RAW, "-A OUTPUT -m rpfilter"),
                in(Family.IPV4, Table.RAW, "-A PREROUTING -m rpfilter ! --loose"),
                in(Family.IPV4, Table.MANGLE, "-A PREROUTING -m rpfilter"),
                in(Family.IPV4, Table.MANGLE, "-A INPUT -m rpfilter"),
                v4("-A INPUT -m rpfilter"),
                in(Family.IPV6, Table.RAW, "-A PREROUTING -m rpfilter --accept-local")));
    }

    @Test
    void policy() {
        Differential.check(List.of(
                v4("-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x10 --proto esp --mode tunnel"
                        + " --tunnel-src 1.2.3.4/24 --tunnel-dst 5.6.7.8 --next --reqid 2 ! --proto ah --mode transport"),
                v4("-A INPUT -m policy --dir in --pol none"),
                v4("-A INPUT -m policy --dir in --pol none --reqid 4"),
                v4("-A INPUT -m policy --dir in --pol none --strict --reqid 4"),
                v4("-A OUTPUT -m policy --dir out --pol ipsec ! --spi 5 ! --reqid 3 --mode Tunnel"),
                v4("-A OUTPUT -m policy --dir out ! --spi 5 ! --reqid 010 --mode tunnel"),
                v4("-A INPUT -m policy --pol ipsec"),
                v4("-A INPUT -m policy --dir in"),
                v4("-A INPUT -m policy --dir in --dir in"),
                v4("-A INPUT -m policy --dir in --pol ipsec --strict"),
                v4("-A INPUT -m policy --dir in --pol ipsec --proto 50 --proto ah"),
                v4("-A INPUT -m policy --dir in --pol ipsec --next --reqid 1"),
                v4("-A INPUT -m policy --dir in --strict --reqid 1 --next"),
                v4("-A INPUT -m policy --strict --reqid 1 --next --spi 2 --next --proto 51 --next --mode transport"
                        + " --dir in"),
                v4("-A INPUT -m policy --strict --reqid 1 --next --spi 2 --next --proto 51 --next --mode transport"
                        + " --next --reqid 5 --dir in"),
                v4("-A FORWARD -m policy --dir in --mode tunnel --tunnel-src 1.2.3.4"),
                v4("-A FORWARD -m policy --dir in --tunnel-src 1.2.3.4"),
                v4("-A FORWARD -m policy --dir in ! --mode transport --tunnel-dst 1.2.3.4/8"),
                v4("-A FORWARD -m policy --dir IN --pol IPSEC --proto tcp"),
                v4("-A FORWARD -m policy --dir in --proto tcp"),
                v4("-A FORWARD -m policy --dir in --proto ipcomp"),
                v4("-A FORWARD -m policy --dir in --tunnel-src 1.2.3.4/255.0.255.0 --mode tunnel ! --tunnel-dst 0/0"),
                v6("-A FORWARD -m policy --dir out --strict --mode tunnel --tunnel-dst 2001:db8::/32 --next"
                        + " --proto esp --spi 0xFF"),
                in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m policy --dir out --pol none")));
    }

    @Test
    void policyDirectionsAndHooks() {
        // in: a decapsulation policy, known where packets come in; out: encapsulation, where they leave.
        Differential.check(List.of(
                v4("-A INPUT -m policy --dir in -j ACCEPT"),
                v4("-A INPUT -m policy --dir out -j ACCEPT"),
                v4("-A FORWARD -m policy --dir in -j ACCEPT"),
                v4("-A FORWARD -m policy --dir out -j ACCEPT"),
                v4("-A OUTPUT -m policy --dir in -j ACCEPT"),
                v4("-A OUTPUT -m policy --dir out -j ACCEPT"),
                in(Family.IPV4, Table.NAT, "-A PREROUTING -m policy --dir out -j ACCEPT"),
                in(Family.IPV4, Table.NAT, "-A POSTROUTING -m policy --dir in -j ACCEPT"),
                in(Family.IPV4, Table.MANGLE, "-A PREROUTING -m policy --dir in -j ACCEPT"),
                in(Family.IPV4, Table.MANGLE, "-A POSTROUTING -m policy --dir out -j ACCEPT"),
                v6("-A OUTPUT -m policy --dir in --pol none -j ACCEPT")));
    }

    @Test
    void numbersWithBlanksAndPlus() {
        Differential.check(List.of(
                v4("-A INPUT -m mark --mark \" 5\" -j ACCEPT"),
                v4("-A INPUT -m mark --mark \" +5/ 7\" -j ACCEPT"),
                v4("-A INPUT -m mark --mark 0x+5 -j ACCEPT"),
                v4("-A INPUT -m mark --mark 0X5 -j ACCEPT"),
                v4("-A INPUT -m mark --mark -1 -j ACCEPT"),
                v4("-A INPUT -m mark --mark 4294967296 -j ACCEPT"),
                v4("-A INPUT -m mark --mark 5/ -j ACCEPT"),
                v4("-A INPUT -m connmark --mark \"\t5\" -j ACCEPT"),
                v4("-A INPUT -m conntrack --ctexpire \" 5\" -j ACCEPT"),
                v4("-A INPUT -m conntrack --ctproto +17 -j ACCEPT"),
                v4("-A INPUT -m conntrack --ctorigsrcport \" 5\" -j ACCEPT"),
                v4("-A INPUT -m conntrack --ctorigsrcport 2147483648 -j ACCEPT"),
                v4("-A INPUT -m conntrack --ctorigsrcport 4294967296 -j ACCEPT"),
                v4("-A INPUT -m policy --dir in --reqid \" 5\" -j ACCEPT"),
                v4("-A INPUT -m policy --dir in --spi +5 -j ACCEPT"),
                v4("-A INPUT -m cgroup --cgroup +5 -j ACCEPT"),
                v4("-A OUTPUT -m owner --uid-owner \" 5- 7\" -j ACCEPT"),
                v4("-A OUTPUT -m owner --uid-owner 5-+7 -j ACCEPT"),
                v4("-A OUTPUT -m owner --gid-owner \" +5\" -j ACCEPT")));
    }

    @Test
    void ipvsOptionsRefusedBeforeTheKernel() {
        // The kernel has no ipvs match: only refusals iptables makes itself can be compared.
        Differential.check(List.of(
                v4("-A INPUT -m ipvs --vdir sideways"),
                v4("-A INPUT -m ipvs --vmethod ROUTE"),
                v4("-A INPUT -m ipvs ! --vdir REPLY"),
                // A port is read modulo 65536 (as TPROXY --on-port 70000 shows), a name must exist.
                v4("-A INPUT -m ipvs --vport nosuchservice"),
                v4("-A INPUT -m ipvs --vproto nosuchproto")));
    }

    @Test
    void generatedConntrackSpellings() {
        Random random = new Random(4417);
        String[] states = {"new", "NEW", "e", "Est", "related", "INV", "untracked", "snat", "D", "x", "NE", ""};
        String[] statuses = {"none", "EXPECTED", "seen", "ASS", "confirmed", "n", "bad"};
        String[] ports = {"22", "ssh", "0", "65535", "65536", "http", "08", "1:0", "20:10", ":", "5:", ":9", "0x5"};
        String[] expires = {"0", "10", "010", "0x1f", "5:3", ":7", "7:", "4294967295", "4294967296", "1:1", "a"};
        String[] options = {"--ctstate", "--ctstatus", "--ctorigsrcport", "--ctrepldstport", "--ctexpire",
                "--ctproto", "--ctorigdst", "--ctdir", "--ctorigs", "--ctexp", "--ctrepld"};
        List<Differential.Case> cases = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            StringBuilder line = new StringBuilder("-A INPUT -m conntrack");
            List<String> used = new ArrayList<>();
            for (int n = 0; n < 1 + random.nextInt(3); n++) {
                String option = options[random.nextInt(options.length)];
                if (used.contains(option)) {
                    continue;
                }
                used.add(option);
                String value = switch (option) {
                    case "--ctstate" -> states[random.nextInt(states.length)] + (random.nextBoolean() ? ","
                            + states[random.nextInt(states.length)] : "");
                    case "--ctstatus" -> statuses[random.nextInt(statuses.length)] + (random.nextBoolean() ? ","
                            + statuses[random.nextInt(statuses.length)] : "");
                    case "--ctexpire", "--ctexp" -> expires[random.nextInt(expires.length)];
                    case "--ctproto" -> new String[] {"tcp", "UDP", "17", "0x6", "all", "sctp", "300"}[random.nextInt(7)];
                    case "--ctorigdst", "--ctorigs" -> new String[] {"10.0.0.1/8", "192.0.2.7/255.255.255.128",
                            "0/0", "1.2.3.4/32", "1.2.3.4/255.0.0.255", "1.2.3"}[random.nextInt(6)];
                    case "--ctdir" -> new String[] {"original", "REPLY", "Reply", "up"}[random.nextInt(4)];
                    default -> ports[random.nextInt(ports.length)];
                };
                boolean negate = random.nextInt(4) == 0;
                line.append(negate ? " ! " : " ").append(option).append(' ').append(value.isEmpty() ? "\"\"" : value);
            }
            cases.add(v4(line.append(" -j ACCEPT").toString()));
        }
        Differential.check(cases);
    }

    @Test
    void generatedMetaSpellings() {
        Random random = new Random(9051);
        String[] marks = {"0", "1", "0x10", "010", "0xffffffff", "4294967296", "5/0xff", "0x1/0xffffffff", "7/0", "x"};
        String[] ids = {"root", "daemon", "bin", "0", "1-5", "5-1", "0x10", "2:3", "nobodyhere", "4294967294", "-1"};
        List<Differential.Case> cases = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String negate = random.nextInt(4) == 0 ? "! " : "";
            String line = switch (random.nextInt(5)) {
                case 0 -> "-A OUTPUT -m " + (random.nextBoolean() ? "mark" : "connmark") + " " + negate + "--mark "
                        + marks[random.nextInt(marks.length)];
                case 1 -> "-A OUTPUT -m owner " + negate + (random.nextBoolean() ? "--uid-owner " : "--gid-o ")
                        + ids[random.nextInt(ids.length)] + (random.nextInt(3) == 0 ? " --suppl" : "");
                case 2 -> "-A " + new String[] {"INPUT", "OUTPUT", "FORWARD"}[random.nextInt(3)] + " -m socket"
                        + (random.nextBoolean() ? " --nowild" : "") + (random.nextBoolean() ? " --trans" : "");
                case 3 -> "-A OUTPUT -m cgroup " + negate + "--cgroup " + marks[random.nextInt(marks.length)];
                default -> "-A INPUT -m comment --comment " + new String[] {"x", "\"two words\"", "'single'",
                        "a\\\\b", "\"\"", "ok-_9"}[random.nextInt(6)];
            };
            cases.add(random.nextInt(4) == 0 ? v6(line) : v4(line));
        }
        Differential.check(cases);
    }
}
