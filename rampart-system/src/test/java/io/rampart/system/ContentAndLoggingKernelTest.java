package io.rampart.system;

import static io.rampart.system.Differential.Case.v4;
import static io.rampart.system.Differential.Case.v6;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContentAndLoggingKernelTest {

    /** The sets the rules name: the kernel refuses a rule with a set it does not have. */
    private static final List<String> IPSETS = List.of("ipset create testset hash:ip", "ipset create other hash:net",
            "ipset create testset6 hash:ip family inet6");

    private static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    private static Differential.Case mangle(String line) {
        return Differential.Case.in(Family.IPV4, Table.MANGLE, line);
    }

    @Test
    void stringMatch() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m string --string abc --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --string \"a b\\\"c\" --algo kmp --from 10 --to 100 -j ACCEPT"),
                v4("-A INPUT -m string --hex-string \"|41 42|c|0d0a|\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string ! --string abc --algo bm --icase -j ACCEPT"),
                v4("-A INPUT -m string --string abc -j ACCEPT"),
                v4("-A INPUT -m string --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --hex-string \"a|20|b\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --hex-string \"a\\\\b\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --hex-string \"|41|\\\\|\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --hex-string \"|41||42|\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --string \"a\\\\\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --string \"a'b|c\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --string \"\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --string \"é\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --string abc --algo BM -j ACCEPT"),
                v4("-A INPUT -m string --string abc --algo fsm -j ACCEPT"),
                v4("-A INPUT -m string --string abc --algo bm --from 0 --to 65535 -j ACCEPT"),
                v4("-A INPUT -m string --string abc --algo bm --from 200 --to 100 -j ACCEPT"),
                v4("-A INPUT -m string --string abc --algo bm --from 5 --to 5 -j ACCEPT"),
                v4("-A INPUT -m string --string abc --hex-string \"|41|\" --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --string abc --algo bm ! --icase -j ACCEPT"),
                v4("-A INPUT -m string --str abc --al kmp --ic -j ACCEPT"),
                v4("-A INPUT -m string --string " + "x".repeat(128) + " --algo bm -j ACCEPT"),
                v4("-A INPUT -m string --string " + "x".repeat(129) + " --algo bm -j ACCEPT"),
                v6("-A INPUT -m string --algo kmp --hex-string \"|0a|\"")));
        Random random = new Random(101);
        List<String> patterns = List.of("abc", "\"a b\"", "\"|41|\"", "\"|4|\"", "\"|4g|\"", "\"||\"", "\"| 41 |x\"",
                "\"|00|\"", "\"|7e7f|\"", "\"x|5c|\"", "\"\\\\|41|\"", "\"|41\"", "\"a\\\\\"", "\"|22|\"");
        List<String> numbers = List.of("0", "1", "0x10", "010", "65535", "65536", "-1", "+7", " 3", "9x");
        for (int i = 0; i < 40; i++) {
            StringBuilder line = new StringBuilder("-A INPUT -m string");
            line.append(random.nextInt(4) == 0 ? " !" : "").append(random.nextBoolean() ? " --string " : " --hex-string ")
                    .append(pick(random, patterns));
            if (random.nextInt(8) != 0) {
                line.append(random.nextBoolean() ? " --algo " : " --al ").append(pick(random, List.of("bm", "kmp", "Kmp")));
            }
            if (random.nextBoolean()) {
                line.append(" --from ").append(pick(random, numbers));
            }
            if (random.nextBoolean()) {
                line.append(" --to ").append(pick(random, numbers));
            }
            if (random.nextInt(3) == 0) {
                line.append(" --icase");
            }
            cases.add(random.nextInt(5) == 0 ? v6(line.toString()) : v4(line + " -j DROP"));
        }
        Differential.check(KernelOracle.shared(IPSETS), cases);
    }

    @Test
    void u32Match() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m u32 --u32 \"0>>22&0x3C@12>>26&0x3C@0=0x41424344\" -j ACCEPT"),
                v4("-A INPUT -m u32 ! --u32 \"0 & 0xFFFF = 0x100:0xFFFF\" -j ACCEPT"),
                v4("-A INPUT -m u32 --u32 \"6&0xFF=1 && 0>>22&0x3C@4=0x5:0x10,20\" -j ACCEPT"),
                v4("-A INPUT -m u32 --u32 \"0=1&&0=2&&0=3&&0=4&&0=5&&0=6&&0=7&&0=8&&0=9&&0=10\""),
                v4("-A INPUT -m u32 --u32 \"0=1&&0=2&&0=3&&0=4&&0=5&&0=6&&0=7&&0=8&&0=9&&0=10&&0=11\""),
                v4("-A INPUT -m u32 --u32 \"0@1@2@3@4@5@6@7@8@9=1\""),
                v4("-A INPUT -m u32 --u32 \"0@1@2@3@4@5@6@7@8@9@10=1\""),
                v4("-A INPUT -m u32 --u32 \"0=1,2,3,4,5,6,7,8,9,10\""),
                v4("-A INPUT -m u32 --u32 \"0=1,2,3,4,5,6,7,8,9,10,11\""),
                v4("-A INPUT -m u32 --u32 \"0=4294967295\""),
                v4("-A INPUT -m u32 --u32 \"0=4294967296\""),
                v4("-A INPUT -m u32 --u32 \"0=5:5,7:3\""),
                v4("-A INPUT -m u32 --u32 \"0x=1\""),
                v4("-A INPUT -m u32 --u32 \"0>>31<<31@32=1\""),
                v4("-A INPUT -m u32 --u32 \"0>>32=1\""),
                v4("-A INPUT -m u32 --u32 \"0<<0x20=1\""),
                v4("-A INPUT -m u32 --u32 \"08=1\""),
                v4("-A INPUT -m u32 --u32 \"\""),
                v4("-A INPUT -m u32"),
                v6("-A INPUT -m u32 --u32 \"0=1\"")));
        Random random = new Random(202);
        List<String> numbers = List.of("0", "6", "0x3C", "010", "+5", "-1", "0xffffffff", "22", " 12");
        List<String> operators = List.of("&", ">>", "<<", "@", "<", "&&", " ");
        for (int i = 0; i < 45; i++) {
            StringBuilder tests = new StringBuilder();
            int count = 1 + random.nextInt(3);
            for (int t = 0; t < count; t++) {
                if (t > 0) {
                    tests.append(random.nextInt(10) == 0 ? "&" : "&&");
                }
                tests.append(pick(random, numbers));
                for (int n = random.nextInt(3); n > 0; n--) {
                    tests.append(pick(random, operators)).append(pick(random, numbers));
                }
                tests.append(random.nextInt(12) == 0 ? "" : "=");
                for (int v = random.nextInt(3); v >= 0; v--) {
                    tests.append(pick(random, numbers));
                    if (random.nextInt(3) == 0) {
                        tests.append(':').append(pick(random, numbers));
                    }
                    if (v > 0) {
                        tests.append(random.nextInt(10) == 0 ? " " : ",");
                    }
                }
            }
            cases.add(v4("-A INPUT -m u32 " + (random.nextInt(4) == 0 ? "! " : "") + "--u32 \"" + tests + "\""));
        }
        Differential.check(KernelOracle.shared(IPSETS), cases);
    }

    @Test
    void bpfMatch() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m bpf --bytecode \"4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0\" -j ACCEPT"),
                v4("-A INPUT -m bpf --bytecode \"2,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"1, 6 0 0 0x10\""),
                v4("-A INPUT -m bpf --bytecode \"1,99 0 0 0\""),
                v4("-A INPUT -m bpf ! --bytecode \"1,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"1,6 0 0 4294967296\""),
                v4("-A INPUT -m bpf --bytecode \"1,6 0 0 -1\""),
                v4("-A INPUT -m bpf --bytecode \"1,65542 256 257 5\""),
                v4("-A INPUT -m bpf --bytecode \"1,6 0 0 0,\""),
                v4("-A INPUT -m bpf --bytecode \"0,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"1 ,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"2,6 0 0 0,6 0 0 1,6 0 0 2\""),
                v4("-A INPUT -m bpf --bytecode \"2,21 0 5 6,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"1,48 0 0 9\""),
                v4("-A INPUT -m bpf --bytecode \"2,96 0 0 3,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"3,2 0 0 3,96 0 0 3,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"2,52 0 0 0,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"2,116 0 0 32,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"2,32 0 0 4294963200,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"2,32 0 0 4294963202,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"65,6 0 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"1,6 x 0 0\""),
                v4("-A INPUT -m bpf --bytecode \"1,+6 0 0 +1\""),
                v4("-A INPUT -m bpf --bytecode \"1,06 0 0 010\""),
                v4("-A INPUT -m bpf"),
                v6("-A INPUT -m bpf --bytecode \"1,22 0 0 0\"")));
        Random random = new Random(303);
        List<String> codes = List.of("6", "22", "48", "21", "5", "96", "2", "52", "132", "7", "177", "99", "0", "40");
        List<String> small = List.of("0", "1", "2", "5", "-1", "256");
        for (int i = 0; i < 40; i++) {
            int length = 1 + random.nextInt(4);
            StringBuilder program = new StringBuilder();
            program.append(random.nextInt(8) == 0 ? length + 1 : length);
            for (int n = 0; n < length; n++) {
                boolean last = n == length - 1 && random.nextInt(5) != 0;
                program.append(',').append(last ? pick(random, List.of("6", "22")) : pick(random, codes))
                        .append(' ').append(pick(random, small)).append(' ').append(pick(random, small))
                        .append(' ').append(pick(random, List.of("0", "3", "15", "16", "65535", "-2")));
            }
            cases.add(v4("-A INPUT -m bpf --bytecode \"" + program + "\" -j ACCEPT"));
        }
        Differential.check(KernelOracle.shared(IPSETS), cases);
    }

    @Test
    void setMatchAndTarget() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m set --match-set testset src -j ACCEPT"),
                v4("-A INPUT -m set --set testset src -j ACCEPT"),
                v4("-A INPUT -m set ! --match-set testset src,dst --return-nomatch ! --update-counters"
                        + " ! --update-subcounters ! --packets-eq 5 --bytes-gt 100 -j ACCEPT"),
                v4("-A INPUT -m set --match-set testset dst,src,dst,src,dst,src,dst -j ACCEPT"),
                v4("-A INPUT -m set --match-set testset src --update-counters --update-subcounters"),
                v4("-A INPUT -m set --match-set testset src --packets-eq 0 --bytes-eq 18446744073709551615"),
                v4("-A INPUT -m set --match-set testset src --bytes-eq 18446744073709551616"),
                v4("-A INPUT -m set --match-set testset src --packets-eq -1"),
                v4("-A INPUT -m set --match-set testset src ! --bytes-eq 3 --packets-gt 2"),
                v4("-A INPUT -m set --match-set testset src --packets-lt 5 --packets-gt 3"),
                v4("-A INPUT -m set --match-set testset src ! --packets-lt 5"),
                v4("-A INPUT -m set --match-set testset SRC"),
                v4("-A INPUT -m set --match-set testset src --match-set other dst"),
                v4("-A INPUT -m set --match-set testset src -m set ! --match-set other dst"),
                v4("-A INPUT -m set --return-nomatch"),
                v6("-A INPUT -m set --match-set testset6 dst"),
                v4("-A INPUT -j SET --add-set testset src"),
                v4("-A INPUT -j SET --add-set testset src,dst --exist --timeout 100"),
                v4("-A INPUT -j SET --add-set testset src --del-set other dst"),
                v4("-A INPUT -j SET --add-set testset src --timeout 4294967294"),
                v4("-A INPUT -j SET --add-set testset src --timeout 4294967295"),
                v4("-A INPUT -j SET --del-set testset src --exist"),
                v4("-A INPUT -j SET --del-set testset src --timeout 5"),
                v4("-A INPUT -j SET"),
                v4("-A INPUT -j SET --map-set testset src"),
                v4("-A INPUT -j SET --add-set testset src --map-mark"),
                v6("-A INPUT -j SET --add-set testset6 src"),
                mangle("-A PREROUTING -j SET --map-set testset src --map-mark"),
                mangle("-A FORWARD -j SET --map-set testset src --map-queue --map-prio --map-mark"),
                mangle("-A OUTPUT -j SET --map-set testset src --map-mark --add-set other dst --del-set testset src"
                        + " --exist --timeout 0x10")));
        Random random = new Random(404);
        List<String> dirs = List.of("src", "dst", "src,dst", "dst,dst,src", "src,src,src,src,src,src", "Src", "",
                "src,src,src,src,src,src,src");
        List<String> counters = List.of("0", "10", "0x20", "-3", "+4");
        List<String> counterOptions = List.of("--packets-eq", "--packets-lt", "--packets-gt", "--bytes-eq",
                "--bytes-lt", "--bytes-gt");
        for (int i = 0; i < 25; i++) {
            StringBuilder line = new StringBuilder("-A INPUT -m set");
            line.append(random.nextInt(3) == 0 ? " !" : "").append(pick(random, List.of(" --match-set ", " --set ",
                    " --match "))).append(pick(random, List.of("testset", "other"))).append(' ').append(pick(random, dirs));
            if (random.nextBoolean()) {
                line.append(random.nextBoolean() ? " !" : "").append(" --update-counters");
            }
            if (random.nextInt(3) == 0) {
                line.append(" --return-nomatch");
            }
            for (int n = random.nextInt(3); n > 0; n--) {
                line.append(random.nextInt(4) == 0 ? " !" : "").append(' ').append(pick(random, counterOptions))
                        .append(' ').append(pick(random, counters));
            }
            cases.add(v4(line + " -j ACCEPT"));
        }
        for (int i = 0; i < 25; i++) {
            StringBuilder line = new StringBuilder("-A FORWARD -j SET");
            line.append(pick(random, List.of(" --add-set ", " --del-set ", " --map-set ", " --add ")))
                    .append(pick(random, List.of("testset", "other"))).append(' ').append(pick(random, dirs));
            if (random.nextBoolean()) {
                line.append(" --exist");
            }
            if (random.nextBoolean()) {
                line.append(" --timeout ").append(pick(random, counters));
            }
            if (random.nextBoolean()) {
                line.append(pick(random, List.of(" --map-mark", " --map-prio", " --map-queue", " --map-p")));
            }
            cases.add(mangle(line.toString()));
        }
        Differential.check(KernelOracle.shared(IPSETS), cases);
    }

    @Test
    void rejectAndVerdicts() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -j REJECT"),
                v4("-A U -j REJECT"),
                v4("-A INPUT -j REJECT --reject-with tcp-reset"),
                v4("-A INPUT -p tcp -j REJECT --reject-with tcp-rst"),
                v4("-A INPUT -p 6 -j REJECT --reject-with tcp-reset"),
                v4("-A INPUT -j REJECT --reject-with echo-reply"),
                v4("-A INPUT -j REJECT --reject-with icmp6-no-route"),
                v4("-A INPUT -j REJECT --reject icmp-host-unreachable"),
                v4("-A INPUT -j QUEUE"),
                v6("-A INPUT -j QUEUE"),
                v6("-A INPUT -j REJECT"),
                v6("-A INPUT -p tcp -j REJECT --reject-with tcp-reset"),
                v6("-A INPUT -p tcp -j REJECT --reject-with tcp-rst"),
                v6("-A INPUT -j REJECT --reject-with icmp-port-unreachable"),
                v6("-A INPUT -j REJECT --reject-with icmp6-adm-prohib"),
                mangle("-A INPUT -j REJECT"),
                Differential.Case.in(Family.IPV4, Table.SECURITY, "-A INPUT -j REJECT"),
                Differential.Case.in(Family.IPV4, Table.NAT, "-A OUTPUT -j REJECT")).stream()
                .map(c -> c.line().startsWith("-A U ") ? new Differential.Case(c.family(), c.table(),
                        List.of(":U - [0:0]"), c.line()) : c).toList());
        Random random = new Random(505);
        List<String> v4Types = List.of("icmp-net-unreachable", "net-unreach", "host-unreach", "ICMP-PROTO-UNREACHABLE",
                "port-unreach", "icmp-net-prohibited", "net-prohib", "host-prohib", "admin-prohib", "tcp-reset",
                "tcp-rst", "icmp-", "icmp-h", "n", "p", "t", "", "nosuch", "admin-prohibited");
        List<String> v6Types = List.of("icmp6-no-route", "no-route", "adm-prohibited", "icmp6-addr-unreachable",
                "addr-unreach", "port-unreach", "icmp6-policy-fail", "policy-fail", "reject-route", "tcp-reset",
                "ICMP6-", "a", "r", "t", "icmp6-not-neighbor", "not-neighbor");
        List<String> chains = List.of("INPUT", "FORWARD", "OUTPUT");
        for (int i = 0; i < 50; i++) {
            boolean ipv6 = random.nextInt(3) == 0;
            String type = pick(random, ipv6 ? v6Types : v4Types);
            String protocol = pick(random, List.of("", "-p tcp ", "-p udp ", "! -p udp "));
            String line = "-A " + pick(random, chains) + " " + protocol + "-j REJECT --reject-with \"" + type + "\"";
            cases.add(ipv6 ? v6(line) : v4(line));
        }
        Differential.check(KernelOracle.shared(IPSETS), cases);
    }

    @Test
    void targetChecksTheKernelMakes() {
        Differential.check(KernelOracle.shared(IPSETS), List.of(
                v4("-A INPUT -p tcp -j REJECT --reject-with tcp-reset"),
                v4("-A INPUT ! -p tcp -j REJECT --reject-with tcp-reset"),
                v4("-A INPUT -p udp -j REJECT --reject-with tcp-reset"),
                v4("-A INPUT -j REJECT --reject-with tcp-reset -p tcp"),
                v6("-A INPUT ! -p tcp -j REJECT --reject-with tcp-reset"),
                mangle("-A FORWARD -j SET --map-set testset src --map-mark"),
                mangle("-A PREROUTING -j SET --map-set testset src --map-mark"),
                mangle("-A PREROUTING -j SET --map-set testset src --map-prio"),
                mangle("-A INPUT -j SET --map-set testset src --map-queue"),
                mangle("-A OUTPUT -j SET --map-set testset src --map-queue"),
                mangle("-A POSTROUTING -j SET --map-set testset src --map-prio --map-mark"),
                v4("-A FORWARD -j SET --map-set testset src --map-mark"),
                Differential.Case.in(Family.IPV4, Table.RAW,
                        "-A PREROUTING -j SET --map-set testset src --map-mark"),
                v4("-A INPUT -j SET --add-set testset src --timeout \" +5\""),
                v4("-A INPUT -m set --match-set testset src --packets-eq \" 5\" -j ACCEPT"),
                v4("-A INPUT -j NFLOG --nflog-group +5"),
                v4("-A INPUT -j NFQUEUE --queue-num \" 5\""),
                v4("-A INPUT -j NFQUEUE --queue-balance \" 1: +3\""),
                v4("-A INPUT -j LOG --log-level +5"),
                v4("-A INPUT -m string --algo bm --string x --from \" 5\" -j ACCEPT"),
                v4("-A INPUT -m u32 --u32 \" 0x0 & +0xff = 1\" -j ACCEPT"),
                v4("-A INPUT -m bpf --bytecode \" 1, 6 0 0 +65535\" -j ACCEPT"),
                mangle("-A POSTROUTING -j CLASSIFY --set-class \" +1: 2\"")));
    }

    @Test
    void logTargets() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -j LOG"),
                v4("-A INPUT -j LOG --log-level 7 --log-prefix \"abc: \" --log-tcp-sequence --log-tcp-options"
                        + " --log-ip-options --log-uid --log-macdecode"),
                v4("-A INPUT -j LOG --log-prefix \"123456789012345678901234567890\""),
                v4("-A INPUT -j LOG --log-prefix \"\""),
                v4("-A INPUT -j LOG --log-prefix \"a\\\"b'c\\\\d\""),
                v4("-A INPUT -j LOG --log-uid --log-level 1 --log-macdecode --log-prefix x"),
                v4("-A INPUT -j LOG --log-l 2"),
                v4("-A INPUT -j LOG --log-t"),
                v6("-A INPUT -j LOG --log-level 3 --log-prefix p"),
                v4("-A INPUT -j NFLOG"),
                v4("-A INPUT -j NFLOG --nflog-group 0 --nflog-prefix \"x y\" --nflog-range 100 --nflog-threshold 1"),
                v4("-A INPUT -j NFLOG --nflog-group 65535 --nflog-size 0 --nflog-threshold 0"),
                v4("-A INPUT -j NFLOG --nflog-range 5 --nflog-size 6"),
                v4("-A INPUT -j NFLOG --nflog-prefix " + "p".repeat(70)),
                v4("-A INPUT -j NFLOG --nflog-prefix " + "p".repeat(134)),
                v4("-A INPUT -j NFLOG --nflog-prefix \"a\\\"b\\\\c\""),
                v4("-A INPUT -j NFQUEUE"),
                v4("-A INPUT -j NFQUEUE --queue-balance 2:5 --queue-bypass --fail-open --queue-cpu-fanout"),
                v4("-A INPUT -j NFQUEUE --queue-num 3 --queue-balance 1:2"),
                v4("-A INPUT -j NFQUEUE --queue-cpu-fanout"),
                v4("-A INPUT -j NFQUEUE --queue-balance 1:2 --queue-cpu-fanout --queue-bypass"),
                v6("-A INPUT -j NFQUEUE --queue-num 2"),
                v4("-A INPUT -j AUDIT"),
                v4("-A INPUT -j AUDIT --type=reject"),
                v6("-A INPUT -j AUDIT --type DROP"),
                v4("-A INPUT -j TRACE"),
                v6("-A INPUT -j TRACE"),
                Differential.Case.in(Family.IPV4, Table.RAW, "-A PREROUTING -j TRACE"),
                Differential.Case.in(Family.IPV4, Table.NAT, "-A PREROUTING -j TRACE")));
        Random random = new Random(606);
        List<String> levels = List.of("0", "4", "7", "8", "03", "08", "0x3", " 3", "1a", "emerg", "panic", "alert",
                "crit", "error", "err", "warning", "warn", "notice", "info", "debug", "DEBUG");
        List<String> flags = List.of(" --log-tcp-sequence", " --log-tcp-options", " --log-ip-options", " --log-uid",
                " --log-macdecode", " --log-tcp-seq", " --log-ip");
        for (int i = 0; i < 30; i++) {
            StringBuilder line = new StringBuilder("-A INPUT -j LOG");
            if (random.nextBoolean()) {
                line.append(" --log-level \"").append(pick(random, levels)).append('"');
            }
            if (random.nextBoolean()) {
                line.append(" --log-prefix \"").append("ab c".repeat(1 + random.nextInt(10))).append('"');
            }
            for (int n = random.nextInt(3); n > 0; n--) {
                line.append(pick(random, flags));
            }
            cases.add(random.nextInt(4) == 0 ? v6(line.toString()) : v4(line.toString()));
        }
        List<String> numbers = List.of("0", "1", "0x10", "010", "65535", "65536", "4294967295", "-1", "+2");
        for (int i = 0; i < 30; i++) {
            StringBuilder line = new StringBuilder("-A INPUT -j NFLOG");
            for (String option : List.of("--nflog-group", "--nflog-size", "--nflog-range", "--nflog-threshold",
                    "--nflog-prefix")) {
                if (random.nextInt(3) == 0) {
                    line.append(' ').append(option).append(' ').append(pick(random, numbers));
                }
            }
            cases.add(v4(line.toString()));
        }
        List<String> balances = List.of("1:2", "0:3", "5:5", "5:2", "3:", ":3", "0:65535", "1:65535", "0x1:0x3",
                "3", "1:2:3", "65534:65535");
        for (int i = 0; i < 30; i++) {
            StringBuilder line = new StringBuilder("-A INPUT -j NFQUEUE");
            if (random.nextInt(3) == 0) {
                line.append(" --queue-num ").append(pick(random, numbers));
            }
            if (random.nextBoolean()) {
                line.append(" --queue-balance ").append(pick(random, balances));
            }
            if (random.nextBoolean()) {
                line.append(" --queue-bypass");
            }
            if (random.nextInt(3) == 0) {
                line.append(" --queue-cpu-fanout");
            }
            cases.add(v4(line.toString()));
        }
        for (int i = 0; i < 20; i++) {
            String type = pick(random, List.of("accept", "drop", "reject", "ACCEPT", "Drop", "foo", "acc", ""));
            cases.add(Differential.Case.in(pick(random, List.of(Family.IPV4, Family.IPV6)),
                    pick(random, List.of(Table.FILTER, Table.MANGLE, Table.RAW)),
                    "-A OUTPUT -j AUDIT --type \"" + type + "\""));
        }
        Differential.check(KernelOracle.shared(IPSETS), cases);
    }

    @Test
    void packetTargets() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -j CLASSIFY --set-class 1:2"),
                v4("-A OUTPUT -j CLASSIFY"),
                v4("-A INPUT -j CHECKSUM --checksum-fill"),
                mangle("-A POSTROUTING -j CHECKSUM"),
                mangle("-A PREROUTING -j CHECKSUM --checksum-fill"),
                Differential.Case.in(Family.IPV6, Table.MANGLE, "-A POSTROUTING -j CHECKSUM --checksum-fill"),
                Differential.Case.in(Family.IPV4, Table.NAT, "-A POSTROUTING -j CHECKSUM --checksum-fill"),
                Differential.Case.in(Family.IPV4, Table.NAT, "-A POSTROUTING -j CLASSIFY --set-class 1:1"),
                Differential.Case.in(Family.IPV4, Table.RAW, "-A PREROUTING -j CLASSIFY --set-class 1:1"),
                Differential.Case.in(Family.IPV6, Table.MANGLE, "-A POSTROUTING -j CLASSIFY --set-class a:b")));
        Random random = new Random(707);
        List<String> classes = List.of("1:2", "10:ffff", "0x10:0X1F", "10000:1", "1", "1:", ":1", "0:0", "abc:DEF",
                "1:2x", " 1: 2", "-1:1", "+2:3", "1 :2", "g:1", "ffffffff:fffff");
        List<String> chains = List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
        for (int i = 0; i < 30; i++) {
            cases.add(mangle("-A " + pick(random, chains) + " -j CLASSIFY --set-class \"" + pick(random, classes)
                    + "\""));
        }
        Differential.check(KernelOracle.shared(IPSETS), cases);
    }
}
