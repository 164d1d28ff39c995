package io.rampart.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.Trace;
import io.rampart.trace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Random rulesets (those of {@link RandomDiffProperties}) with expectations about every packet of a
 * small domain and about sets of them: a packet's expectation passes exactly when the tracer gives
 * the packet that verdict; a set's passes only when every packet of it traced gets the verdict, and
 * its counterexample, traced, breaks it.
 */
class RandomExpectationProperties {

    private static final int RULESETS = 12;
    private static final List<String> SETS = List.of(
            "expect tcp from 192.0.2.0/25 to port 22 state any is accepted",
            "expect nothing in eth1 to 10.0.0.0/25 state any is accepted",
            "expect forwarded udp out eth0 state new is dropped",
            "expect outgoing icmp state established is accepted",
            "expect some tcp in eth0 to port 80-443 state any is accepted");

    @Test
    void packetsPassExactlyWhenTracedSoAndSetsOnlyWhenEveryPacketIs() {
        RandomDiffProperties generator = new RandomDiffProperties();
        int passed = 0;
        int failed = 0;
        for (int n = 0; n < RULESETS; n++) {
            String text = Rulesets.filter(generator.policy(), generator.policy(), generator.policy(),
                    generator.ruleset().toArray(String[]::new));
            RulesetDiff.Side side = Rulesets.side("r.rules", text, Family.IPV4);
            Tracer tracer = RandomDiffProperties.tracer(side);
            List<PacketSpec> domain = RandomDiffProperties.domain();
            List<String> lines = new ArrayList<>();
            List<String> verdicts = new ArrayList<>();
            for (PacketSpec packet : domain) {
                String verdict = tracer.trace(packet.build(Family.IPV4)).verdict();
                verdicts.add(verdict);
                lines.add("expect packet " + flags(packet) + " is accepted");
            }
            lines.addAll(SETS);
            Expectations expectations = Expectations.parse("r.expect", lines, Family.IPV4);
            assertThat(expectations.problems()).isEmpty();
            List<ExpectationProver.Result> results = ExpectationProver.prove(side, expectations);
            for (int i = 0; i < domain.size(); i++) {
                ExpectationProver.Status expected = verdicts.get(i).equals("ACCEPT") ? ExpectationProver.Status.PASS
                        : ExpectationProver.Status.FAIL;
                assertThat(results.get(i).status()).as(text + lines.get(i)).isEqualTo(expected);
            }
            for (int k = 0; k < SETS.size(); k++) {
                ExpectationProver.Result r = results.get(domain.size() + k);
                String context = text + SETS.get(k) + " -> " + r;
                if (r.status() == ExpectationProver.Status.FAIL) {
                    failed++;
                    if (r.packet() != null) {
                        Trace trace = tracer.trace(spec(r.packet()).build(Family.IPV4));
                        assertThat(r.traced()).as(context).isTrue();
                        assertThat(trace.verdict()).as(context).isEqualTo(r.got().verdict().startsWith("ACCEPT")
                                ? "ACCEPT" : "DROP");
                    }
                } else {
                    assertThat(r.status()).as(context).isEqualTo(ExpectationProver.Status.PASS);
                    passed++;
                }
            }
            // A set's pass agrees with every packet of the domain inside it: the first set, checked by hand.
            if (results.get(domain.size()).status() == ExpectationProver.Status.PASS) {
                for (int i = 0; i < domain.size(); i++) {
                    String line = lines.get(i);
                    if (line.contains("--in ") && !line.contains("--out ") && line.contains("--src 192.0.2.1 ")
                            && line.contains("--proto tcp") && line.contains("--dport 22 ")) {
                        assertThat(verdicts.get(i)).as(text + line).isEqualTo("ACCEPT");
                    }
                }
            }
        }
        assertThat(passed).as("set expectations that passed").isGreaterThan(5);
        assertThat(failed).as("set expectations that failed").isGreaterThan(5);
    }

    private static String flags(PacketSpec packet) {
        return RulesetDiff.flags(packet.values());
    }

    private static PacketSpec spec(Map<String, String> packet) {
        PacketSpec spec = new PacketSpec();
        packet.forEach(spec::set);
        return spec;
    }
}
