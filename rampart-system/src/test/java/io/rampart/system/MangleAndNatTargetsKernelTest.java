package io.rampart.system;

import static io.rampart.system.Differential.Case.in;

import io.rampart.model.Family;
import io.rampart.model.Table;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class MangleAndNatTargetsKernelTest {

    private static final Family V4 = Family.IPV4;
    private static final Family V6 = Family.IPV6;

    private static Differential.Case mangle(String line) {
        return in(V4, Table.MANGLE, line);
    }

    private static Differential.Case nat(String line) {
        return in(V4, Table.NAT, line);
    }

    private static Differential.Case raw(String line) {
        return in(V4, Table.RAW, line);
    }

    @Test
    void markTargets() {
        Differential.check(List.of(
                mangle("-A PREROUTING -j MARK --set-mark 5"),
                mangle("-A PREROUTING -j MARK --set-mark 5/0xf0"),
                mangle("-A PREROUTING -j MARK --set-xmark 5"),
                mangle("-A PREROUTING -j MARK --and-mark 0xf0"),
                mangle("-A PREROUTING -j MARK --or-mark 010"),
                mangle("-A PREROUTING -j MARK --xor-mark 3"),
                mangle("-A PREROUTING -j MARK"),
                mangle("-A PREROUTING -j MARK --set-mark 1 --or-mark 2"),
                mangle("-A PREROUTING -j MARK --set-mark 4294967296"),
                mangle("-A PREROUTING -j MARK --set-m 7"),
                mangle("-A PREROUTING -j MARK --set-mark=7"),
                mangle("-A PREROUTING -j MARK ! --set-mark 7"),
                mangle("-A PREROUTING -j MARK --set-mark -1"),
                mangle("-A PREROUTING -j MARK --set-mark 5/"),
                in(V4, Table.FILTER, "-A FORWARD -j MARK --and-mark 5"),
                in(V6, Table.NAT, "-A INPUT -j MARK --set-mark 0xffffffff"),
                mangle("-A PREROUTING -j CONNMARK --set-mark 5/0xf0"),
                mangle("-A PREROUTING -j CONNMARK --set-mark 5 --mask 0xff"),
                mangle("-A PREROUTING -j CONNMARK --mask 0xff --set-mark 5"),
                mangle("-A PREROUTING -j CONNMARK --set-xmark 5/0xf0 --ctmask 0xff"),
                mangle("-A PREROUTING -j CONNMARK --ctmask 0xff --set-xmark 5/0xf0"),
                mangle("-A PREROUTING -j CONNMARK --save-mark"),
                mangle("-A PREROUTING -j CONNMARK --restore-mark --mask 0xff"),
                mangle("-A PREROUTING -j CONNMARK --restore-mark --ctmask 0xf --nfmask 0xff"),
                mangle("-A PREROUTING -j CONNMARK --restore-mark --mask 0xf --nfmask 0xff"),
                mangle("-A PREROUTING -j CONNMARK --and-mark 0xf"),
                mangle("-A PREROUTING -j CONNMARK --xor-mark 0xf --mask 3"),
                mangle("-A PREROUTING -j CONNMARK --mask 3"),
                mangle("-A PREROUTING -j CONNMARK --save-mark --left-shift-mark 31"),
                mangle("-A PREROUTING -j CONNMARK --save-mark --left-shift-mark 32"),
                mangle("-A PREROUTING -j CONNMARK --save-mark --right-shift-mark 33"),
                mangle("-A PREROUTING -j CONNMARK --save-mark --left-shift-mark 1 --right-shift-mark 2"),
                mangle("-A PREROUTING -j CONNMARK --save-mark --right-shift-mark 2 --left-shift-mark 0"),
                mangle("-A PREROUTING -j CONNMARK --save-mark --restore-mark"),
                mangle("-A PREROUTING -j CONNMARK --sav"),
                mangle("-A PREROUTING -j CONNMARK --save-mark --ma 5"),
                mangle("-A PREROUTING -j CONNMARK --save-mark --l 5"),
                mangle("-A PREROUTING -j CONNMARK --restore --nf 5"),
                in(V6, Table.FILTER, "-A OUTPUT -j CONNMARK --restore-mark --nfmask 0x0")));
    }

    @Test
    void headerTargets() {
        Differential.check(List.of(
                mangle("-A PREROUTING -j TOS --set-tos Minimize-Delay"),
                mangle("-A PREROUTING -j TOS --set-tos minimize-cost"),
                mangle("-A PREROUTING -j TOS --set-tos 0x10"),
                mangle("-A PREROUTING -j TOS --set-tos 16/63"),
                mangle("-A PREROUTING -j TOS --set-tos 0x100"),
                mangle("-A PREROUTING -j TOS --set-tos 5/0x100"),
                mangle("-A PREROUTING -j TOS --set-tos 5/"),
                mangle("-A PREROUTING -j TOS --set-tos Bogus"),
                mangle("-A PREROUTING -j TOS --and-tos 0x0f"),
                mangle("-A PREROUTING -j TOS --or-tos 0x0f"),
                mangle("-A PREROUTING -j TOS --xor-tos 0x0f"),
                mangle("-A PREROUTING -j TOS"),
                in(V4, Table.FILTER, "-A INPUT -j TOS --set-tos 0x10"),
                in(V6, Table.MANGLE, "-A POSTROUTING -j TOS --set-tos 3"),
                mangle("-A PREROUTING -j DSCP --set-dscp 10"),
                mangle("-A PREROUTING -j DSCP --set-dscp 0x40"),
                mangle("-A PREROUTING -j DSCP --set-dscp-class af41"),
                mangle("-A PREROUTING -j DSCP --set-dscp-class EFX"),
                mangle("-A PREROUTING -j DSCP --set-dscp-class cs10"),
                mangle("-A PREROUTING -j DSCP --set-dscp-class LE"),
                mangle("-A PREROUTING -j DSCP"),
                mangle("-A PREROUTING -j DSCP --set-dscp 1 --set-dscp-class ef"),
                in(V6, Table.MANGLE, "-A FORWARD -j DSCP --set-dscp 010"),
                mangle("-A PREROUTING -j TTL --ttl-set 0x10"),
                mangle("-A PREROUTING -j TTL --ttl-inc 0"),
                mangle("-A PREROUTING -j TTL --ttl-set 1 --ttl-inc 2"),
                mangle("-A PREROUTING -j TTL"),
                in(V4, Table.FILTER, "-A INPUT -j TTL --ttl-set 1"),
                in(V6, Table.MANGLE, "-A POSTROUTING -j TTL --ttl-set 3"),
                in(V6, Table.MANGLE, "-A POSTROUTING -j HL --hl-dec 3"),
                in(V6, Table.MANGLE, "-A POSTROUTING -j HL --hl-dec 0"),
                mangle("-A PREROUTING -j HL --hl-set 5"),
                mangle("-A POSTROUTING -j TCPMSS --set-mss 1400"),
                mangle("-A POSTROUTING -p tcp -j TCPMSS --set-mss 1400"),
                mangle("-A POSTROUTING ! -p tcp -j TCPMSS --set-mss 1400"),
                mangle("-A POSTROUTING -p udp -j TCPMSS --set-mss 1400"),
                mangle("-A POSTROUTING -p tcp --syn -j TCPMSS --set-mss 65515"),
                mangle("-A POSTROUTING -p tcp --syn -j TCPMSS --set-mss 65516"),
                mangle("-A POSTROUTING -p tcp --syn -j TCPMSS --set-mss 1 --clamp-mss-to-pmtu"),
                mangle("-A POSTROUTING -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu --set-mss 1"),
                mangle("-A PREROUTING -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu"),
                mangle("-A PREROUTING -p tcp --syn -j TCPMSS --set-mss 5"),
                mangle("-A POSTROUTING -p tcp -j TCPMSS"),
                in(V4, Table.FILTER, "-A INPUT -p tcp -j TCPMSS --clamp-mss-to-pmtu"),
                in(V4, Table.FILTER, "-A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu"),
                in(V6, Table.MANGLE, "-A POSTROUTING -p tcp -j TCPMSS --set-mss 65495"),
                in(V6, Table.MANGLE, "-A POSTROUTING -p tcp -j TCPMSS --set-mss 65496")));
    }

    @Test
    void conntrackTargets() {
        Differential.check(List.of(
                raw("-A PREROUTING -j NOTRACK"),
                raw("-A PREROUTING -j CT --notrack"),
                raw("-A OUTPUT -j CT --helper ftp"),
                raw("-A OUTPUT -p tcp -j CT --helper ftp"),
                raw("-A PREROUTING -j CT --ctevents destroy,new"),
                raw("-A PREROUTING -j CT --ctevents bogus"),
                raw("-A PREROUTING -j CT --ctevents new,label"),
                raw("-A PREROUTING -j CT --expevents new,destroy"),
                raw("-A PREROUTING -j CT --zone 0"),
                raw("-A PREROUTING -j CT --zone MARK"),
                raw("-A PREROUTING -j CT --zone 65536"),
                raw("-A PREROUTING -j CT --zone 0x10"),
                raw("-A PREROUTING -j CT --zone 5 --zone-orig 6"),
                raw("-A PREROUTING -j CT --zone-orig 5 --zone-reply 6"),
                raw("-A PREROUTING -j CT --zone-reply mark --zone-orig 0"),
                raw("-A PREROUTING -j CT --zone 5 --ctevents new --expevents new --notrack"),
                raw("-A PREROUTING -j CT"),
                mangle("-A PREROUTING -j CT --notrack"),
                mangle("-A PREROUTING -j NOTRACK"),
                in(V6, Table.RAW, "-A OUTPUT -j CT --zone mark --zone-orig 5"),
                in(V6, Table.RAW, "-A OUTPUT -j NOTRACK"),
                mangle("-A PREROUTING -p tcp -j TPROXY --on-port 8080"),
                mangle("-A PREROUTING -p tcp -j TPROXY --on-port 8080 --on-ip 10.0.0.1 --tproxy-mark 1/1"),
                mangle("-A PREROUTING -p tcp -j TPROXY --tproxy-mark 5 --on-port http"),
                mangle("-A PREROUTING -j TPROXY --on-port 8080"),
                mangle("-A PREROUTING ! -p udp -j TPROXY --on-port 8080"),
                mangle("-A PREROUTING -p udp -j TPROXY --on-ip 1.2.3.4"),
                mangle("-A OUTPUT -p tcp -j TPROXY --on-port 1"),
                mangle("-A PREROUTING -p tcp -j TPROXY --on-port 0x10"),
                mangle("-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip localhost"),
                in(V4, Table.FILTER, "-A INPUT -p tcp -j TPROXY --on-port 1"),
                in(V6, Table.MANGLE, "-A PREROUTING -p tcp -j TPROXY --on-port 1"),
                in(V6, Table.MANGLE, "-A PREROUTING -p udp -j TPROXY --on-port 1 --on-ip 2001:db8::1 --tproxy-mark 5/0xf")));
    }

    @Test
    void natTargets() {
        Differential.check(List.of(
                nat("-A PREROUTING -j DNAT --to 10.0.0.1"),
                nat("-A PREROUTING -j DNAT --to-destination 10.0.0.1:80"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:80-90"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.5-10.0.0.1"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:http"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80-http"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:90-80"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80:90"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:0x50"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80-90/85"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80-90/0"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80/5"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination :80"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80-80"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:"),
                nat("-A PREROUTING -p icmp -j DNAT --to-destination 10.0.0.1:80"),
                nat("-A PREROUTING -p sctp -j DNAT --to-destination 10.0.0.1:80"),
                nat("-A PREROUTING ! -p tcp -j DNAT --to-destination 10.0.0.1:80"),
                nat("-A PREROUTING -p udplite -j DNAT --to-destination 10.0.0.1:80"),
                nat("-A PREROUTING -j DNAT --to-destination 10.0.0.1 --persistent --random"),
                nat("-A PREROUTING -j DNAT --to-destination 10.0.0.1 --random-fully"),
                nat("-A PREROUTING -j DNAT"),
                nat("-A PREROUTING -j DNAT --to-destination 010.0.0.1"),
                nat("-A PREROUTING -j DNAT --to-destination [10.0.0.1]"),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4-1.2.3.5-1.2.3.6"),
                nat("-A INPUT -j DNAT --to-destination 10.0.0.1"),
                nat("-A OUTPUT -j DNAT --to-destination 10.0.0.1"),
                nat("-A INPUT -j SNAT --to-source 10.0.0.1"),
                nat("-A PREROUTING -j SNAT --to-source 10.0.0.1"),
                nat("-A POSTROUTING -p udp -j SNAT --to-source 10.0.0.1:1024-2048 --random-fully --random --persistent"),
                nat("-A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:1000-2000/1500"),
                nat("-A POSTROUTING -j SNAT --to-source 10.0.0.1/24"),
                nat("-A POSTROUTING -j MASQUERADE"),
                nat("-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000 --random --random-fully"),
                nat("-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000/1500"),
                nat("-A POSTROUTING -j MASQUERADE --to-ports 1000"),
                nat("-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000:2000"),
                nat("-A OUTPUT -j MASQUERADE"),
                nat("-A PREROUTING -p tcp -j REDIRECT --to-ports 8080-8090 --random"),
                nat("-A PREROUTING -p tcp -j REDIRECT --to-ports 1000-2000/1500"),
                nat("-A PREROUTING -p tcp -j REDIRECT --to-ports +80"),
                nat("-A OUTPUT -j REDIRECT --random"),
                nat("-A OUTPUT -j REDIRECT --r"),
                nat("-A POSTROUTING -j MASQUERADE --rand"),
                nat("-A POSTROUTING -j SNAT --to 1.2.3.4 --pe"),
                nat("-A POSTROUTING -j REDIRECT"),
                nat("-A PREROUTING -j NETMAP --to 10.1.2.3/255.255.0.0"),
                nat("-A POSTROUTING -j NETMAP --to 10.1.2.3"),
                nat("-A OUTPUT -j NETMAP --to 10.1.2.3/0"),
                nat("-A INPUT -j NETMAP --to 10.1.2.3/255.0.255.0"),
                nat("-A INPUT -j NETMAP --to 10.0.0.0/33"),
                nat("-A INPUT -j NETMAP --to 10.0.0.0/0x10"),
                nat("-A INPUT -j NETMAP"),
                nat("-A INPUT -j NETMAP --to localhost/8"),
                in(V4, Table.MANGLE, "-A PREROUTING -j DNAT --to-destination 10.0.0.1"),
                in(V6, Table.NAT, "-A PREROUTING -j DNAT --to-destination [2001:db8::1]"),
                in(V6, Table.NAT, "-A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]-[2001:db8::5]:80"),
                in(V6, Table.NAT, "-A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1-2001:db8::5]:80-81"),
                in(V6, Table.NAT, "-A PREROUTING -p tcp -j DNAT --to-destination 2001:db8::1-2001:db8::5"),
                in(V6, Table.NAT, "-A PREROUTING -p tcp -j DNAT --to-destination []:80"),
                in(V6, Table.NAT, "-A PREROUTING -p tcp -j DNAT --to-destination ::1:80"),
                in(V6, Table.NAT, "-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4"),
                in(V6, Table.NAT, "-A PREROUTING -p tcp -j DNAT --to-destination [0:0:0:0::1]:80-90/85"),
                in(V6, Table.NAT, "-A PREROUTING -p ipv6-icmp -j DNAT --to-destination [::1]:80"),
                in(V6, Table.NAT, "-A POSTROUTING -p udp -j SNAT --to-source [2001:db8::1]:1000-2000/1500"),
                in(V6, Table.NAT, "-A POSTROUTING -p tcp -j MASQUERADE --to-ports 5"),
                in(V6, Table.NAT, "-A PREROUTING -j NETMAP --to 2001:db8::5/ffff:ffff::"),
                in(V6, Table.NAT, "-A PREROUTING -j NETMAP --to 2001:db8::5")));
    }

    /** Picks one of the given words. */
    private static String pick(Random random, String... words) {
        return words[random.nextInt(words.length)];
    }

    private static List<Differential.Case> generate(int count, Supplier<Differential.Case> generator) {
        List<Differential.Case> cases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cases.add(generator.get());
        }
        return cases;
    }

    @Test
    void numbersWithBlanksAndPlusAndOptionOrder() {
        Differential.check(List.of(
                mangle("-A PREROUTING -j MARK --set-mark \" 5\""),
                mangle("-A PREROUTING -j MARK --set-xmark \"1/ +5\""),
                mangle("-A PREROUTING -j MARK --and-mark +5"),
                mangle("-A PREROUTING -j CONNMARK --set-mark \"\t5\""),
                mangle("-A PREROUTING -j CONNMARK --save-mark --mask \" 5\""),
                mangle("-A PREROUTING -j CONNMARK --restore-mark --left-shift-mark +5"),
                mangle("-A PREROUTING -j TOS --set-tos \" 0x10/ 0x3f\""),
                mangle("-A PREROUTING -j TOS --and-tos \" 5\""),
                mangle("-A PREROUTING -j DSCP --set-dscp +5"),
                mangle("-A PREROUTING -j DSCP --set-dscp-class CS1xyz"),
                mangle("-A PREROUTING -j TTL --ttl-set \" 5\""),
                in(V6, Table.MANGLE, "-A PREROUTING -j HL --hl-inc +5"),
                mangle("-A FORWARD -p tcp -j TCPMSS --set-mss \" 500\""),
                mangle("-A PREROUTING -p tcp -j TPROXY --on-port \" 5\""),
                mangle("-A PREROUTING -p tcp -j TPROXY --on-port 70000"),
                mangle("-A PREROUTING -j TPROXY --on-port 80 -p tcp"),
                raw("-A PREROUTING -j CT --zone \" +5\""),
                nat("-A PREROUTING -p tcp -j REDIRECT --to-ports \" 5\""),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination \"1.2.3.4: 80- +90\""),
                nat("-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80-90/100x"),
                nat("-A PREROUTING -j DNAT --to-destination 1.2.3.4:80 -p tcp"),
                nat("-A PREROUTING -j REDIRECT --to-ports 80 -p tcp")));
    }

    @Test
    void generatedMarkSpellings() {
        Random random = new Random(4711);
        String[] numbers = {"0", "5", "0x10", "010", "0xffffffff", "4294967295", "4294967296", "-1", "abc", "0XfF"};
        String[] markOps = {"--set-mark", "--set-xmark", "--and-mark", "--or-mark", "--xor-mark", "--set-x", "--and",
            "--or", "--xor", "--set"};
        List<Differential.Case> cases = new ArrayList<>(generate(40, () -> {
            StringBuilder line = new StringBuilder("-A " + pick(random, "PREROUTING", "FORWARD", "OUTPUT") + " -j MARK");
            int operations = random.nextInt(8) == 0 ? random.nextInt(3) : 1;
            for (int i = 0; i < operations; i++) {
                String option = pick(random, markOps);
                String value = pick(random, numbers);
                if (option.contains("set") && random.nextBoolean()) {
                    value += "/" + pick(random, numbers);
                }
                line.append(' ').append(option).append(' ').append(value);
            }
            return in(random.nextBoolean() ? V4 : V6, Table.MANGLE, line.toString());
        }));
        String[] connmarkOptions = {"--set-mark 5/0xf0", "--set-xmark 0x3", "--and-mark 0xf", "--or-mark 6",
            "--xor-mark 07", "--save-mark", "--restore-mark", "--mask 0xff", "--nfmask 0xf0", "--ctmask 0x0f",
            "--left-shift-mark 4", "--right-shift-mark 8", "--right-shift-mark 0", "--mask 4294967296", "--restore"};
        cases.addAll(generate(50, () -> {
            List<String> chosen = new ArrayList<>();
            int count = 1 + random.nextInt(3);
            while (chosen.size() < count) {
                String option = pick(random, connmarkOptions);
                String name = option.split(" ")[0];
                if (chosen.stream().noneMatch(c -> c.split(" ")[0].equals(name))) {
                    chosen.add(option);
                }
            }
            Collections.shuffle(chosen, random);
            return in(random.nextBoolean() ? V4 : V6, random.nextBoolean() ? Table.MANGLE : Table.FILTER,
                    "-A OUTPUT -j CONNMARK " + String.join(" ", chosen));
        }));
        Differential.check(cases);
    }

    @Test
    void generatedHeaderTargetSpellings() {
        Random random = new Random(1234);
        String[] tosValues = {"Minimize-Delay", "MAXIMIZE-THROUGHPUT", "maximize-reliability", "Minimize-Cost",
            "normal-service", "Normal", "0x10", "16/0x3f", "0xff/255", "256", "7/0", "0x08/0x100", "1/2/3", "010"};
        String[] chains = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
        List<Differential.Case> cases = new ArrayList<>(generate(30, () -> {
            String option = pick(random, "--set-tos", "--set-tos", "--and-tos", "--or-tos", "--xor-tos", "--set");
            String value = option.equals("--set-tos") || option.equals("--set") ? pick(random, tosValues)
                    : pick(random, "0", "0x0f", "255", "256", "070");
            return in(random.nextBoolean() ? V4 : V6, Table.MANGLE,
                    "-A " + pick(random, chains) + " -j TOS " + option + " " + value);
        }));
        String[] classes = {"af11", "AF43", "ef", "EF1", "be", "cs7", "CS8", "af44", "af1", "xx"};
        cases.addAll(generate(25, () -> {
            String option = random.nextBoolean()
                    ? pick(random, "--set-dscp ", "--set-dscp=") + pick(random, "0", "63", "64", "0x2e", "046", "x")
                    : pick(random, "--set-dscp-class ", "--set-dscp-c ") + pick(random, classes);
            return in(random.nextBoolean() ? V4 : V6, random.nextInt(5) == 0 ? Table.FILTER : Table.MANGLE,
                    "-A " + pick(random, "INPUT", "FORWARD", "OUTPUT") + " -j DSCP " + option);
        }));
        cases.addAll(generate(30, () -> {
            Family family = random.nextBoolean() ? V4 : V6;
            String target = random.nextInt(6) == 0 ? (family == V4 ? "HL" : "TTL") : (family == V4 ? "TTL" : "HL");
            String prefix = target.equals("TTL") ? "--ttl-" : "--hl-";
            String option = prefix + pick(random, "set", "dec", "inc", "s", "d");
            String value = pick(random, "0", "1", "64", "255", "256", "0x40", "-1");
            String second = random.nextInt(8) == 0 ? " " + prefix + "inc 1" : "";
            return in(family, random.nextInt(6) == 0 ? Table.RAW : Table.MANGLE,
                    "-A " + pick(random, "PREROUTING", "OUTPUT") + " -j " + target + " " + option + " " + value + second);
        }));
        cases.addAll(generate(40, () -> {
            String protocol = pick(random, "-p tcp ", "-p tcp --syn ", "-p 6 ", "! -p tcp ", "-p udp ", "");
            List<String> options = new ArrayList<>();
            if (random.nextInt(3) > 0) {
                options.add(pick(random, "--set-mss ", "--set-m ") + pick(random, "536", "0x5b4", "0", "65495",
                        "65496", "65515", "65516"));
            }
            if (random.nextInt(3) > 0) {
                options.add(pick(random, "--clamp-mss-to-pmtu", "--clamp"));
            }
            Collections.shuffle(options, random);
            Table table = random.nextBoolean() ? Table.MANGLE : Table.FILTER;
            String chain = pick(random, table.builtinChains().toArray(String[]::new));
            return in(random.nextBoolean() ? V4 : V6, table,
                    "-A " + chain + " " + protocol + "-j TCPMSS " + String.join(" ", options));
        }));
        Differential.check(cases);
    }

    @Test
    void generatedConntrackSpellings() {
        Random random = new Random(99);
        String[] ctOptions = {"--notrack", "--helper ftp", "--ctevents new,destroy", "--ctevents assured,new,mark",
            "--ctevents NEW", "--expevents new", "--zone 7", "--zone mark", "--zone 0", "--zone-orig 3",
            "--zone-reply Mark", "--zone-orig 65535", "--zone 70000", "--notr", "--zone-r 9"};
        List<Differential.Case> cases = new ArrayList<>(generate(50, () -> {
            List<String> chosen = new ArrayList<>();
            int count = random.nextInt(4);
            while (chosen.size() < count) {
                String option = pick(random, ctOptions);
                String name = option.split(" ")[0];
                if (chosen.stream().noneMatch(c -> c.split(" ")[0].equals(name))) {
                    chosen.add(option);
                }
            }
            String protocol = chosen.stream().anyMatch(c -> c.startsWith("--helper")) && random.nextInt(4) > 0
                    ? "-p tcp " : "";
            return in(random.nextBoolean() ? V4 : V6, random.nextInt(6) == 0 ? Table.MANGLE : Table.RAW,
                    "-A " + pick(random, "PREROUTING", "OUTPUT") + " " + protocol + "-j CT " + String.join(" ", chosen));
        }));
        cases.addAll(generate(30, () -> {
            Family family = random.nextBoolean() ? V4 : V6;
            String protocol = pick(random, "-p tcp ", "-p udp ", "-p tcp ", "-p sctp ", "");
            StringBuilder line = new StringBuilder("-A " + pick(random, "PREROUTING", "PREROUTING", "FORWARD")
                    + " " + protocol + "-j TPROXY");
            if (random.nextInt(6) > 0) {
                line.append(' ').append(pick(random, "--on-port ", "--on-p ")).append(
                        pick(random, "0", "3128", "http", "65535", "65536", "0x10"));
            }
            if (random.nextBoolean()) {
                line.append(" --on-ip ").append(family == V4 ? pick(random, "10.0.0.1", "127.0.0.1", "::1")
                        : pick(random, "2001:db8::7", "::1", "10.0.0.1"));
            }
            if (random.nextBoolean()) {
                line.append(" --tproxy-mark ").append(pick(random, "1", "0x1/0x1", "0xffffffff", "5/7", "x"));
            }
            return in(family, random.nextInt(6) == 0 ? Table.RAW : Table.MANGLE, line.toString());
        }));
        Differential.check(cases);
    }

    @Test
    void generatedNatSpellings() {
        Random random = new Random(2024);
        String[] chains = {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"};
        String[] protocols = {"-p tcp ", "-p udp ", "-p sctp ", "-p icmp ", "! -p udp ", ""};
        String[] portSpecs = {"80", "http", "1024-2048", "2048-1024", "0x50-0x60", "100-100", "1:2", "80-http",
            "10-20/15", "70000", "ssh"};
        List<Differential.Case> cases = new ArrayList<>(generate(60, () -> {
            Family family = random.nextBoolean() ? V4 : V6;
            String target = pick(random, "DNAT", "SNAT");
            String option = target.equals("DNAT") ? pick(random, "--to-destination", "--to-dest", "--to")
                    : pick(random, "--to-source", "--to-s", "--to");
            String address = family == V4
                    ? pick(random, "10.0.0.1", "10.0.0.1-10.0.0.9", "10.0.0.9-10.0.0.1", "", "1.2.3", "256.1.1.1")
                    : pick(random, "2001:db8::1", "2001:db8::1-2001:db8::2", "::", "", "10.0.0.1", "fe80::1:0:0:1");
            String to = address;
            if (random.nextBoolean()) {
                String ports = pick(random, portSpecs);
                to = family == V6 && random.nextInt(4) > 0 ? "[" + address + "]:" + ports : address + ":" + ports;
            }
            String flags = random.nextInt(3) == 0 ? " " + pick(random, "--random", "--persistent", "--random-fully")
                    : "";
            return in(family, Table.NAT, "-A " + pick(random, chains) + " " + pick(random, protocols) + "-j " + target
                    + " " + option + " " + to + flags);
        }));
        cases.addAll(generate(30, () -> {
            String target = pick(random, "MASQUERADE", "REDIRECT");
            String ports = random.nextInt(4) > 0 ? " --to-ports " + pick(random, portSpecs) : "";
            String flags = random.nextBoolean() ? " " + pick(random, "--random", "--random-fully") : "";
            return in(random.nextBoolean() ? V4 : V6, Table.NAT, "-A " + pick(random, chains) + " "
                    + pick(random, protocols) + "-j " + target + ports + flags);
        }));
        cases.addAll(generate(25, () -> {
            Family family = random.nextBoolean() ? V4 : V6;
            String network = family == V4
                    ? pick(random, "10.1.2.3/8", "10.1.2.3/255.255.255.0", "192.0.2.1", "10.0.0.0/0", "10.0.0.1/40",
                    "10.0.0.1/255.0.0.255", "x/8")
                    : pick(random, "2001:db8::1/64", "2001:db8::1/ffff:ffff:ffff::", "::1", "2001:db8::/200",
                    "10.0.0.0/8");
            return in(family, random.nextInt(6) == 0 ? Table.MANGLE : Table.NAT,
                    "-A " + pick(random, chains) + " -j NETMAP --to " + network);
        }));
        Differential.check(cases);
    }
}
