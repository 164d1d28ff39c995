package io.rampart.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.extension.ExtensionKind;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.syntax.KernelCase;
import io.rampart.syntax.KernelCaseFile;
import io.rampart.syntax.KernelCases;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RuleSyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The packet semantics the specs declare, over every rule the kernel accepted in the recorded
 * cases: each option that declares a field compiles into a test of its typed value (never into
 * "a value the tracer cannot read"), and only matches the specs call opaque, or options they
 * leave without a field, end a trace undecided.
 */
class DeclaredSemanticsTest {

    @Test
    void everyDeclaredOptionOfEveryRecordedRuleCompilesToATest() throws RuleSyntaxException {
        List<String> wrong = new ArrayList<>();
        Set<String> tested = new HashSet<>();
        for (KernelCaseFile file : KernelCases.files()) {
            for (KernelCase c : file.cases()) {
                if (!c.answer().recorded() || c.answer().refused()) {
                    continue;
                }
                for (Rule rule : new RuleParser(StandardExtensions.registry(), c.family()).parseLine(c.line(),
                        c.table())) {
                    for (Condition condition : Conditions.compile(rule, c.family())) {
                        if (condition instanceof Condition.Unknown unknown && unknown.why().contains("cannot read")) {
                            wrong.add(c.where() + ": " + unknown.why());
                        }
                        if (condition instanceof Condition.Check check && check.extension() != null) {
                            tested.add(check.extension());
                        }
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(tested).contains("tcp", "udp", "sctp", "dccp", "multiport", "icmp", "icmp6", "conntrack", "state",
                "mark", "connmark", "iprange", "addrtype", "length", "ttl", "hl", "tos", "dscp", "pkttype", "physdev",
                "ah", "esp", "ipcomp");
    }

    @Test
    void aMatchWhoseSpecDeclaresNothingIsUndecided() throws RuleSyntaxException {
        Rule rule = new RuleParser(StandardExtensions.registry(), Family.IPV4)
                .parseLine("-A OUTPUT -m owner --uid-owner 0 -j ACCEPT", io.rampart.model.Table.FILTER).get(0);
        ExtensionSpec owner = StandardExtensions.registry().match("owner", Family.IPV4).orElseThrow();
        assertThat(owner.semantics()).isEqualTo(MatchSemantics.NOT_MODELLED);
        assertThat(Conditions.compile(rule, Family.IPV4)).singleElement().isInstanceOfSatisfying(
                Condition.Unknown.class, u -> assertThat(u.why()).isEqualTo("-m owner is not modelled by the tracer"));
    }

    @Test
    void onlyMatchesTestingFieldsDeclareFieldsOnTheirOptions() {
        for (ExtensionSpec spec : StandardExtensions.registry().all()) {
            boolean declares = spec.options().stream().map(OptionSpec::constraint).anyMatch(c -> c != null);
            boolean tests = spec.semantics() instanceof MatchSemantics.Tests;
            if (declares) {
                assertThat(tests).as(spec.describeKind() + " declares fields, so its semantics must test them")
                        .isTrue();
            }
            if (spec.kind() == ExtensionKind.TARGET) {
                assertThat(spec.semantics()).isEqualTo(MatchSemantics.NOT_MODELLED);
            }
        }
    }
}
