package io.rampart.system;

import static io.rampart.system.Differential.Case.v4;
import static io.rampart.system.Differential.Case.v6;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RateAndTimeMatchesKernelTest {

    /**
     * The kernel keeps a hashlimit table per name for a while after its rule goes and refuses a new
     * rule with another configuration under that name, so every case gets a name of its own.
     */
    private static int tableNames;

    private static String table() {
        return "t" + tableNames++;
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static List<Differential.Case> generated(Random random, int count, Function<Random, String> line) {
        List<Differential.Case> cases = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String rule = line.apply(random);
            cases.add(random.nextInt(4) == 0 ? v6(rule) : v4(rule));
        }
        return cases;
    }

    @Test
    void limit() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m limit"),
                v4("-A INPUT -m limit --limit 3/hour"),
                v4("-A INPUT -m limit --limit 10/s --limit-burst 7"),
                v4("-A INPUT -m limit --limit 7/min --limit-burst 5"),
                v4("-A INPUT -m limit --limit 59/hour"),
                v4("-A INPUT -m limit --limit 13/min"),
                v4("-A INPUT -m limit --limit 10000/sec"),
                v4("-A INPUT -m limit --limit 10001/sec"),
                v4("-A INPUT -m limit --limit 3/DAY"),
                v4("-A INPUT -m limit --limit 3/dayx"),
                v4("-A INPUT -m limit --limit 3x/min"),
                v4("-A INPUT -m limit --limit 0/min"),
                v4("-A INPUT -m limit --limit -5/h"),
                v4("-A INPUT -m limit --limit 5/"),
                v4("-A INPUT -m limit --limit 0x10/h"),
                v4("-A INPUT -m limit --limit 4294967296/h"),
                v4("-A INPUT -m limit --limit 1/h --limit-burst 0"),
                v4("-A INPUT -m limit --limit 1/h --limit-burst 10000"),
                v4("-A INPUT -m limit --limit 1/h --limit-burst 10001"),
                v4("-A INPUT -m limit --limit 1/h --limit-burst 010"),
                v4("-A INPUT -m limit ! --limit 1/h"),
                v4("-A INPUT -m limit --lim 5/m"),
                v4("-A INPUT -m limit --limit-b 3 --limit=2/m"),
                v6("-A INPUT -m limit --limit 5/m")));
        List<String> counts = List.of("1", "2", "3", "7", "13", "59", "60", "61", "100", "999", "1441", "3601",
                "10000", "0", "x");
        List<String> units = List.of("", "/s", "/sec", "/second", "/m", "/min", "/minute", "/h", "/HOUR", "/d",
                "/Day", "/week", "/");
        List<String> bursts = List.of("", " --limit-burst 1", " --limit-burst 0x20", " --limit-burst 5",
                " --limit-b 99", " --limit-burst 12345", " --limit-burst -1");
        cases.addAll(generated(new Random(7001), 40, r -> "-A INPUT -m limit --limit " + pick(r, counts)
                + pick(r, units) + pick(r, bursts) + " -j ACCEPT"));
        Differential.check(cases);
    }

    @Test
    void hashlimit() {
        List<String> lines = List.of(
                "--hashlimit-upto 10/min --hashlimit-name NAME",
                "--hashlimit 60/min --hashlimit-name NAME",
                "--hashlimit-above 10/s --hashlimit-name NAME --hashlimit-mode dstport,srcip",
                "! --hashlimit-above 10/s --hashlimit-name NAME",
                "! --hashlimit-upto 10/s --hashlimit-name NAME",
                "--hashlimit-upto 10/s",
                "--hashlimit-name NAME",
                "--hashlimit-upto 10/s --hashlimit-above 5/s --hashlimit-name NAME",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-burst 1000001",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-burst 1000000",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-burst 0",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-burst 5k",
                "--hashlimit-upto 1/sec --hashlimit-name NAME --hashlimit-burst 2x",
                "--hashlimit-upto 1mb/s --hashlimit-name NAME",
                "--hashlimit-upto 100kb/s --hashlimit-name NAME --hashlimit-burst 1m",
                "--hashlimit-upto 1000b/s --hashlimit-name NAME --hashlimit-burst 100",
                "--hashlimit-upto 1000b/s --hashlimit-name NAME --hashlimit-burst 100000",
                "--hashlimit-upto 1500b/s --hashlimit-name NAME --hashlimit-burst 3000 --hashlimit-htable-expire 15000",
                "--hashlimit-upto 1500b/s --hashlimit-name NAME --hashlimit-htable-expire 15000",
                "--hashlimit-upto 1b/s --hashlimit-name NAME",
                "--hashlimit-upto 4294967295b/s --hashlimit-name NAME",
                "--hashlimit-upto 32768mb/s --hashlimit-name NAME",
                "--hashlimit-upto 20000mb/s --hashlimit-name NAME",
                "--hashlimit-upto 1048576b/s --hashlimit-name NAME",
                "--hashlimit-upto 10MB/s --hashlimit-name NAME",
                "--hashlimit-upto 7kb/sec --hashlimit-name NAME",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-htable-size 100 --hashlimit-htable-max 200"
                        + " --hashlimit-htable-gcinterval 500 --hashlimit-htable-expire 1000",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-htable-expire 0",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-htable-gcinterval 0",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-htable-size 4294967296",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-srcmask 24 --hashlimit-dstmask 32",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-srcmask 255.255.0.0",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-srcmask 255.0.255.0",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-srcmask 33",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-dstmask 0x10",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-rate-match",
                "--hashlimit-upto 10/min --hashlimit-name NAME --hashlimit-rate-match --hashlimit-rate-interval 5",
                "--hashlimit-upto 1/h --hashlimit-name NAME --hashlimit-rate-match --hashlimit-mode srcip",
                "--hashlimit-upto 10kb/s --hashlimit-name NAME --hashlimit-rate-match --hashlimit-rate-interval 3",
                "--hashlimit-upto 10/min --hashlimit-name NAME --hashlimit-rate-interval 5",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-rate-interval 0",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-mode srcip|dstip",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-mode SRCIP",
                "--hashlimit-upto 10/s --hashlimit-name NAME --hashlimit-mode srcip,,dstip",
                "--hashlimit-upto 7/h --hashlimit-name NAME --hashlimit-mode \"\"",
                "--hashlimit-upto 3/d --hashlimit-name NAME",
                "--hashlimit-upto 2/d --hashlimit-name NAME",
                "--hashlimit-upto 3/d --hashlimit-name NAME --hashlimit-burst 4",
                "--hashlimit-upto 1/h --hashlimit-name NAME --hashlimit-burst 1000000",
                "--hashlimit-upto 1000001/s --hashlimit-name NAME",
                "--hashlimit-upto 10/s --hashlimit-name NAME/x",
                "--hashlimit-upto 10/s --hashlimit-name NAME.x",
                "--hashlimit-upto 10/s --hashlimit-name NAMEabcdefghijklmnopqrstuvwxyz0123456789",
                "--hashlimit-up 7/h --hashlimit-n NAME");
        List<Differential.Case> cases = new ArrayList<>();
        for (String line : lines) {
            cases.add(v4("-A INPUT -m hashlimit " + line.replace("NAME", table())));
        }
        cases.add(v4("-A INPUT -m hashlimit --hashlimit-upto 10/s --hashlimit-name \"\""));
        cases.add(v6("-A INPUT -m hashlimit --hashlimit-upto 10/s --hashlimit-name " + table()
                + " --hashlimit-srcmask 64"));
        cases.add(v6("-A INPUT -m hashlimit --hashlimit-upto 10/s --hashlimit-name " + table()
                + " --hashlimit-srcmask 129"));
        cases.add(v6("-A INPUT -m hashlimit --hashlimit-upto 10/s --hashlimit-name " + table()
                + " --hashlimit-dstmask ffff:ffff::"));
        List<String> rates = List.of("1/s", "5/m", "60/min", "7/hour", "2/d", "3/d", "100", "1000000/s", "0/s",
                "10kb/s", "1500b/s", "3mb/s", "12/x");
        List<String> extras = List.of("", " --hashlimit-burst 3", " --hashlimit-burst 64k", " --hashlimit-mode srcip",
                " --hashlimit-mode dstip,dstport", " --hashlimit-htable-expire 60000", " --hashlimit-srcmask 16",
                " --hashlimit-htable-gcinterval 0x3e8", " --hashlimit-rate-match", " --hashlimit-htable-max 0");
        Random random = new Random(7002);
        for (int i = 0; i < 50; i++) {
            String option = pick(random, List.of("--hashlimit-upto", "--hashlimit-above", "--hashlimit",
                    "! --hashlimit-upto", "--hashlimit-ab"));
            String rule = "-A INPUT -m hashlimit " + option + " " + pick(random, rates) + pick(random, extras)
                    + pick(random, extras) + " --hashlimit-name " + table();
            cases.add(random.nextInt(4) == 0 ? v6(rule) : v4(rule));
        }
        Differential.check(cases);
    }

    @Test
    void connlimit() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m connlimit --connlimit-above 5"),
                v4("-A INPUT -m connlimit ! --connlimit-upto 5"),
                v4("-A INPUT -m connlimit ! --connlimit-above 5 --connlimit-mask 24 --connlimit-daddr"),
                v4("-A INPUT -m connlimit --connlimit-above 0x10 --connlimit-mask 255.255.255.0"),
                v4("-A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 33"),
                v4("-A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 255.0.255.0"),
                v4("-A INPUT -m connlimit --connlimit-above 5 --connlimit-mask x"),
                v4("-A INPUT -m connlimit --connlimit-above 5 --connlimit-saddr --connlimit-daddr"),
                v4("-A INPUT -m connlimit --connlimit-above 5 --connlimit-upto 4"),
                v4("-A INPUT -m connlimit --connlimit-mask 24"),
                v4("-A INPUT -m connlimit --connlimit-above 4294967295"),
                v4("-A INPUT -m connlimit --connlimit-above 4294967296"),
                v6("-A INPUT -m connlimit --connlimit-above 5"),
                v6("-A INPUT -m connlimit --connlimit-upto 5 --connlimit-mask 64 --connlimit-daddr"),
                v6("-A INPUT -m connlimit --connlimit-upto 5 --connlimit-mask ffff:ff00::"),
                v6("-A INPUT -m connlimit --connlimit-upto 5 --connlimit-mask 129")));
        List<String> masks = List.of("", " --connlimit-mask 0", " --connlimit-mask 16", " --connlimit-mask 010",
                " --connlimit-mask 255.255.255.128", " --connlimit-mask 64", " --connlimit-mask ffff::",
                " --connlimit-mask -1");
        cases.addAll(generated(new Random(7003), 40, r -> "-A INPUT -p tcp --syn -m connlimit "
                + pick(r, List.of("", "! ")) + pick(r, List.of("--connlimit-upto ", "--connlimit-above ",
                "--connlimit-a ", "--connlimit-up=")) + pick(r, List.of("0", "1", "20", "0x20", "011", "-3", "9x"))
                + pick(r, masks) + pick(r, List.of("", " --connlimit-saddr", " --connlimit-daddr", " --connlimit-d"))
                + " -j DROP"));
        Differential.check(cases);
    }

    @Test
    void recent() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m recent --set"),
                v4("-A INPUT -m recent ! --rcheck --seconds 60 --hitcount 5 --rttl --name foo --rdest"),
                v4("-A INPUT -m recent --update --seconds 60 --reap"),
                v4("-A INPUT -m recent --update --reap"),
                v4("-A INPUT -m recent --set --seconds 10"),
                v4("-A INPUT -m recent --set --rttl"),
                v4("-A INPUT -m recent --remove --name bar --mask 255.255.0.0"),
                v4("-A INPUT -m recent --remove --reap --seconds 4"),
                v4("-A INPUT -m recent --rcheck --hitcount 65535"),
                v4("-A INPUT -m recent --rcheck --hitcount 65536"),
                v4("-A INPUT -m recent --rcheck --hitcount 0 --seconds 0"),
                v4("-A INPUT -m recent --rcheck --set"),
                v4("-A INPUT -m recent --name x"),
                v4("-A INPUT -m recent --rcheck --name \"\""),
                v4("-A INPUT -m recent --rcheck --name a/b"),
                v4("-A INPUT -m recent --rcheck --name " + "n".repeat(199)),
                v4("-A INPUT -m recent --rcheck --name " + "m".repeat(230)),
                v4("-A INPUT -m recent --rcheck --rsource --rdest"),
                v4("-A INPUT -m recent --rcheck --mask 1.2.3.4"),
                v4("-A INPUT -m recent --rcheck --mask localhost"),
                v4("-A INPUT -m recent --rcheck --mask 255.255.255.0/24"),
                v4("-A INPUT -m recent --rcheck --seconds 0x10 --reap --rttl"),
                v6("-A INPUT -m recent --set"),
                v6("-A INPUT -m recent --set --mask ffff:ffff:ffff:ffff::"),
                v6("-A INPUT -m recent --set --mask 255.255.0.0"),
                v6("-A INPUT -m recent --update --mask ::")));
        List<String> extras = List.of("", " --seconds 30", " --seconds 0", " --hitcount 3", " --reap", " --rttl",
                " --name web", " --mask 255.255.255.0", " --rdest", " --rsource", " --sec 9", " --hit 2");
        cases.addAll(generated(new Random(7004), 45, r -> "-A INPUT -m recent " + pick(r, List.of("", "! "))
                + pick(r, List.of("--set", "--rcheck", "--update", "--remove", "--rc", "--up")) + pick(r, extras)
                + pick(r, extras) + " -j DROP"));
        // Both --rdest and --rsource: iptables keeps the last given, which the options' save order cannot tell.
        Differential.check(cases.stream()
                .filter(c -> c.family() == io.rampart.model.Family.IPV4 || !c.line().contains("255.255.255.0"))
                .filter(c -> !(c.line().contains("--rdest") && c.line().contains("--rsource")))
                .toList());
    }

    @Test
    void recentLastSideWins() {
        Differential.check(List.of(
                v4("-A INPUT -m recent --rcheck --rdest --rsource -j ACCEPT"),
                v4("-A INPUT -m recent --rcheck --rsource --rdest -j ACCEPT"),
                v6("-A INPUT -m recent --set --rdest --rsource -j ACCEPT")));
    }

    @Test
    void numbersWithBlanksAndPlus() {
        Differential.check(List.of(
                v4("-A INPUT -m statistic --mode nth --every \" 5\" --packet +1 -j ACCEPT"),
                v4("-A INPUT -m recent --rcheck --seconds +5 -j ACCEPT"),
                v4("-A INPUT -m quota --quota \" 5\" -j ACCEPT"),
                v4("-A INPUT -m limit --limit-burst +7 -j ACCEPT"),
                v4("-A INPUT -m connlimit --connlimit-above \" 5\" --connlimit-mask +24 -j ACCEPT"),
                v4("-A INPUT -m hashlimit --hashlimit-upto 5 --hashlimit-name " + table()
                        + " --hashlimit-htable-size \" 5\" -j ACCEPT"),
                v4("-A INPUT -m hashlimit --hashlimit-upto 5 --hashlimit-name " + table()
                        + " --hashlimit-burst \" +7\" -j ACCEPT"),
                v4("-A INPUT -m time --monthdays \" 5\" -j ACCEPT"),
                v4("-A INPUT -m time --timestart \" 1:+2\" -j ACCEPT")));
    }

    @Test
    void quotaAndStatistic() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m quota --quota 1000"),
                v4("-A INPUT -m quota ! --quota 0x100"),
                v4("-A INPUT -m quota --quota 010"),
                v4("-A INPUT -m quota --quota 18446744073709551615"),
                v4("-A INPUT -m quota --quota 18446744073709551616"),
                v4("-A INPUT -m quota"),
                v6("-A INPUT -m quota --quota 5"),
                v4("-A INPUT -m statistic --mode random --probability 0.33333"),
                v4("-A INPUT -m statistic --mode random ! --probability 0.5"),
                v4("-A INPUT -m statistic --mode random --probability 1.5"),
                v4("-A INPUT -m statistic --mode random --probability 1e-1"),
                v4("-A INPUT -m statistic --mode random --probability .25"),
                v4("-A INPUT -m statistic --mode random --probability 0x0.8"),
                v4("-A INPUT -m statistic --mode random --probability nan"),
                v4("-A INPUT -m statistic --mode random --probability +0.5"),
                v4("-A INPUT -m statistic --mode random --probability 0.5x"),
                v4("-A INPUT -m statistic --mode random --probability 0.999999999999"),
                v4("-A INPUT -m statistic --mode random"),
                v4("-A INPUT -m statistic --mode nth --every 3"),
                v4("-A INPUT -m statistic --mode nth --every 3 --packet 2"),
                v4("-A INPUT -m statistic --mode nth --every 3 --packet 3"),
                v4("-A INPUT -m statistic --mode nth ! --every 3 --packet 0"),
                v4("-A INPUT -m statistic --mode nth --packet 1"),
                v4("-A INPUT -m statistic --mode nth --every 0 --packet 0"),
                v4("-A INPUT -m statistic --mode random --every 2 --packet 1"),
                v4("-A INPUT -m statistic --mode nth --probability 0.5"),
                v4("-A INPUT -m statistic --mode foo --every 2"),
                v4("-A INPUT -m statistic --every 2 --packet 1"),
                v4("-A INPUT -m statistic ! --mode nth --every 2 --packet 1"),
                v4("-A INPUT -m statistic --mode nth --every 2 ! --packet 1"),
                v6("-A INPUT -m statistic --mode nth --every 2 --packet 1")));
        cases.addAll(generated(new Random(7005), 30, r -> "-A INPUT -m statistic --mode random "
                + pick(r, List.of("", "! ")) + pick(r, List.of("--probability ", "--prob ", "--probability="))
                + pick(r, List.of("0", "1", "0.1", "0.33333", "0.7", "0.123456789", "1e-5", "2e-1", "0.99", "-0",
                "1.0000001", "0x0.4", "abc")) + " -j ACCEPT"));
        cases.addAll(generated(new Random(7006), 25, r -> "-A INPUT -m statistic --mode nth "
                + pick(r, List.of("", "! ")) + "--every " + pick(r, List.of("1", "2", "5", "0x10", "010"))
                + pick(r, List.of("", " --packet 0", " --packet 1", " --packet 4", " --pa 2")) + " -j ACCEPT"));
        cases.addAll(generated(new Random(7007), 20, r -> "-A INPUT -m quota " + pick(r, List.of("", "! "))
                + pick(r, List.of("--quota ", "--quo ", "--quota=")) + pick(r, List.of("0", "1", "1048576", "0x7f",
                "0777", "99999999999", "-1", "1k")) + " -j ACCEPT"));
        Differential.check(cases);
    }

    @Test
    void time() {
        List<Differential.Case> cases = new ArrayList<>(List.of(
                v4("-A INPUT -m time"),
                v4("-A INPUT -m time --timestart 8:00 --timestop 17:30:05"),
                v4("-A INPUT -m time --timestart 08:00"),
                v4("-A INPUT -m time --timestop 17:00"),
                v4("-A INPUT -m time --timestart 24:00"),
                v4("-A INPUT -m time --timestart 8"),
                v4("-A INPUT -m time --timestart 8:0:0"),
                v4("-A INPUT -m time --timestart 08:00:0x"),
                v4("-A INPUT -m time --timestart 23:59:59"),
                v4("-A INPUT -m time --weekdays Sun,Mon,3"),
                v4("-A INPUT -m time ! --weekdays Sat,Sun"),
                v4("-A INPUT -m time --weekdays Monday,Tu,Friday"),
                v4("-A INPUT -m time --weekdays mon"),
                v4("-A INPUT -m time --weekdays 0"),
                v4("-A INPUT -m time --weekdays 8"),
                v4("-A INPUT -m time --weekdays Mo,,Tu"),
                v4("-A INPUT -m time --weekdays Mo,"),
                v4("-A INPUT -m time --weekdays 1,2,3,4,5,6,7"),
                v4("-A INPUT -m time ! --weekdays 1,2,3,4,5,6,7"),
                v4("-A INPUT -m time --monthdays 31,1,15"),
                v4("-A INPUT -m time ! --monthdays 1"),
                v4("-A INPUT -m time --monthdays 0"),
                v4("-A INPUT -m time --monthdays 32"),
                v4("-A INPUT -m time --monthdays 0x1f"),
                v4("-A INPUT -m time --monthdays 100"),
                v4("-A INPUT -m time --monthdays 1,,2"),
                v4("-A INPUT -m time --datestart 2020"),
                v4("-A INPUT -m time --datestart 2020-01"),
                v4("-A INPUT -m time --datestart 2020-13"),
                v4("-A INPUT -m time --datestart 2020-00-00"),
                v4("-A INPUT -m time --datestart 2020-02-30T25"),
                v4("-A INPUT -m time --datestart 2020-02-30"),
                v4("-A INPUT -m time --datestart 2020-2-3T4:5:6 --datestop 2030-12-31T23:59:59"),
                v4("-A INPUT -m time --datestop 2038-01-19T03:14:08"),
                v4("-A INPUT -m time --datestop 2038-12-31T23:59:59"),
                v4("-A INPUT -m time --datestop 2039"),
                v4("-A INPUT -m time --datestart 1969"),
                v4("-A INPUT -m time --datestart 1970"),
                v4("-A INPUT -m time --datestop 1970"),
                v4("-A INPUT -m time --datestart 2021-01-01T00:00:60"),
                v4("-A INPUT -m time --datestart 2020-01-01 --datestop 2019-01-01"),
                v4("-A INPUT -m time --kerneltz"),
                v4("-A INPUT -m time --localtz"),
                v4("-A INPUT -m time --utc"),
                v4("-A INPUT -m time --utc --kerneltz"),
                v4("-A INPUT -m time --timestart 22:00 --timestop 06:00 --contiguous"),
                v4("-A INPUT -m time --timestart 06:00 --timestop 22:00 --contiguous"),
                v4("-A INPUT -m time --contiguous"),
                v4("-A INPUT -m time --timestart 10:00 --timestop 10:00"),
                v6("-A INPUT -m time --weekdays Fr --timestart 1:2:3")));
        List<String> parts = List.of(" --timestart 07:30", " --timestop 18:00:30", " --weekdays Mon,Wed,Fri",
                " ! --weekdays Sa,Su", " --weekdays 2,4,6", " --monthdays 1,10,20,30", " ! --monthdays 2,4",
                " --datestart 2024-06-01T12:00", " --datestop 2025-01-01", " --kerneltz", " --utc", " --contiguous",
                " --weekd We", " --timestart 25:00", " --monthdays 7,8,9");
        cases.addAll(generated(new Random(7008), 50, r -> "-A INPUT -m time" + pick(r, parts) + pick(r, parts)
                + pick(r, parts) + " -j ACCEPT"));
        Differential.check(cases);
    }
}
