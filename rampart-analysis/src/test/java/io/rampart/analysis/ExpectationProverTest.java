package io.rampart.analysis;

import static io.rampart.analysis.Rulesets.filter;
import static io.rampart.analysis.Rulesets.side;
import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.analysis.ExpectationProver.Result;
import io.rampart.analysis.ExpectationProver.Status;
import io.rampart.model.Family;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectationProverTest {

    private static final String HOST = filter("DROP", "DROP", "ACCEPT", ":SSH - [0:0]", ":LOGDROP - [0:0]",
            "-A INPUT -i lo -j ACCEPT",
            "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 22 -j SSH",
            "-A INPUT -i guest0 -j LOGDROP",
            "-A INPUT -p tcp -m tcp --dport 5432 -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 80 -m limit --limit 10/sec -j ACCEPT",
            "-A SSH -s 192.0.2.0/24 -j ACCEPT",
            "-A LOGDROP -j LOG --log-prefix \"drop: \"",
            "-A LOGDROP -j DROP");

    private static List<Result> prove(String rules, String... lines) {
        Expectations expectations = Expectations.parse("host.expect", List.of(lines), Family.IPV4);
        assertThat(expectations.problems()).isEmpty();
        return ExpectationProver.prove(side("host.rules", rules, Family.IPV4), expectations);
    }

    private static Result one(String line) {
        return prove(HOST, line).get(0);
    }

    @Test
    void aSetEveryPacketOfWhichIsAcceptedPasses() {
        assertThat(one("expect tcp from 192.0.2.0/24 to 10.0.0.5 port 22 is accepted").status())
                .isEqualTo(Status.PASS);
        assertThat(one("expect state established is accepted").status()).isEqualTo(Status.PASS);
    }

    @Test
    void aWiderSetFailsWithATracedCounterexampleOutsideTheAllowedSources() {
        Result r = one("expect tcp to port 22 is accepted");
        assertThat(r.status()).isEqualTo(Status.FAIL);
        assertThat(r.traced()).isTrue();
        assertThat(r.got().verdict()).isEqualTo("DROP");
        assertThat(r.packet()).containsEntry("dport", "22").containsEntry("proto", "6");
        assertThat(r.packet().get("src")).doesNotStartWith("192.0.2.");
        assertThat(r.region()).contains("from anywhere but 192.0.2.0/24");
    }

    @Test
    void nothingFromTheGuestInterfaceReachesTheDatabase() {
        assertThat(one("expect nothing in guest0 to port 5432 is accepted").status()).isEqualTo(Status.PASS);
        Result other = one("expect nothing in eth0 to port 5432 is accepted");
        assertThat(other.status()).isEqualTo(Status.FAIL);
        assertThat(other.got().where()).isEqualTo("host.rules:11");
        assertThat(other.packet()).containsEntry("in", "eth0").containsEntry("dport", "5432");
    }

    @Test
    void aPacketDroppedByANamedChain() {
        Result r = one("expect packet --in guest0 --src 198.51.100.7 --dst 10.0.0.5 --proto tcp --dport 23"
                + " is dropped by LOGDROP");
        assertThat(r.status()).as(r.toString()).isEqualTo(Status.PASS);
        Result wrong = one("expect packet --in eth0 --src 198.51.100.7 --dst 10.0.0.5 --proto tcp --dport 23"
                + " is dropped by LOGDROP");
        assertThat(wrong.status()).isEqualTo(Status.FAIL);
        assertThat(wrong.got().where()).isEqualTo("policy of INPUT");
        assertThat(wrong.traced()).isTrue();
        assertThat(one("expect packet --in guest0 --src 198.51.100.7 --dst 10.0.0.5 is dropped by LOGDROP rule 2")
                .status()).isEqualTo(Status.PASS);
        assertThat(one("expect packet --in eth0 --src 198.51.100.7 --dst 10.0.0.5 --dport 5432 is accepted by"
                + " host.rules:11").status()).isEqualTo(Status.PASS);
    }

    @Test
    void anAnswerThatHangsOnAnUnmodelledMatchSaysSo() {
        Result r = one("expect tcp in eth0 to port 80 is accepted");
        assertThat(r.status()).isEqualTo(Status.UNKNOWN);
        assertThat(r.onlyIf()).containsExactly("`-m limit --limit 10/sec' does not match");
        assertThat(one("expect some tcp in eth0 to port 80 is accepted").status()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void someNeedsOnePacket() {
        assertThat(one("expect some tcp to port 22 is accepted").status()).isEqualTo(Status.PASS);
        Result r = one("expect some udp in eth0 is accepted");
        assertThat(r.status()).isEqualTo(Status.FAIL);
        assertThat(r.packet()).containsEntry("proto", "17");
        assertThat(r.traced()).isTrue();
    }

    @Test
    void variablesAndListsNameSets() {
        List<Result> results = prove(HOST, "define ADMINS = { 192.0.2.0/25, 192.0.2.128/25 }   # both halves",
                "define PORTS = {5432, 22}",
                "expect tcp from $ADMINS in eth0 to port ${PORTS} is accepted",
                "expect tcp from not $ADMINS in eth0 to port 22 is denied");
        assertThat(results).extracting(Result::status).containsExactly(Status.PASS, Status.PASS);
    }

    @Test
    void forwardedAndOutgoingPacketsMeetTheirChains() {
        List<Result> results = prove(HOST, "expect forwarded tcp is dropped by policy",
                "expect outgoing udp to port 53 is accepted",
                "expect outgoing udp to port 53 is accepted by policy");
        assertThat(results).extracting(Result::status).containsExactly(Status.PASS, Status.PASS, Status.PASS);
    }

    @Test
    void anExpectationThatHangsOnTheMarkHmarkSetsIsUnknownAndNamesIt() {
        String rules = "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j HMARK --hmark-tuple src,dst"
                + " --hmark-mod 2 --hmark-rnd 0x1\nCOMMIT\n"
                + filter("ACCEPT", "DROP", "ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -m mark --mark 0x1 -j DROP");
        Result hanging = prove(rules, "expect tcp to port 22 is accepted").get(0);
        assertThat(hanging.status()).isEqualTo(Status.UNKNOWN);
        assertThat(hanging.onlyIf()).singleElement().asString().startsWith("`-j HMARK")
                .endsWith("at host.rules:3 sets the mark that way");
        // What the hash cannot change is proved whatever it is.
        assertThat(prove(rules, "expect tcp to port 80 is accepted").get(0).status()).isEqualTo(Status.PASS);
        assertThat(prove(rules, "expect forwarded tcp to port 22 is dropped").get(0).status()).isEqualTo(Status.PASS);
    }

    @Test
    void aForwardedSetLeavesOutPacketsAtTheirLastHopButNotThoseARuleMakesExpire() {
        String rules = filter("DROP", "ACCEPT", "ACCEPT");
        assertThat(prove(rules, "expect forwarded tcp to port 22 is accepted").get(0).status())
                .isEqualTo(Status.PASS);
        String lowered = "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j TTL --ttl-set 1\nCOMMIT\n"
                + rules;
        Result r = prove(lowered, "expect forwarded tcp to port 22 is accepted").get(0);
        assertThat(r.status()).isEqualTo(Status.FAIL);
        assertThat(r.got().where()).isEqualTo(Pipeline.TTL_EXPIRED);
        assertThat(r.traced()).isTrue();
        assertThat(prove(lowered, "expect forwarded udp is accepted").get(0).status()).isEqualTo(Status.PASS);
    }
}
