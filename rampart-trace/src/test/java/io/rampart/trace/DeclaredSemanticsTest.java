package io.rampart.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Family;
import io.rampart.model.Rule;
import io.rampart.model.Target;
import io.rampart.model.extension.ExtensionKind;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.model.value.Range;
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

    /** A rule the kernel accepted in a recorded case, with that case. */
    private record RecordedRule(KernelCase recorded, Rule rule) {
    }

    private static List<RecordedRule> recordedRules() throws RuleSyntaxException {
        List<RecordedRule> out = new ArrayList<>();
        for (KernelCaseFile file : KernelCases.files()) {
            for (KernelCase c : file.cases()) {
                if (c.answer().recorded() && !c.answer().refused()) {
                    for (Rule rule : new RuleParser(StandardExtensions.registry(), c.family(),
                            NameDatabase.system()).parseLine(c.line(),
                            c.table())) {
                        out.add(new RecordedRule(c, rule));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyDeclaredOptionOfEveryRecordedRuleCompilesToATest() throws RuleSyntaxException {
        List<String> wrong = new ArrayList<>();
        Set<String> tested = new HashSet<>();
        for (RecordedRule r : recordedRules()) {
            for (Condition condition : Conditions.compile(r.rule(), r.recorded().family())) {
                if (condition instanceof Condition.Unknown unknown && unknown.why().contains("cannot read")) {
                    wrong.add(r.recorded().where() + ": " + unknown.why());
                }
                if (condition instanceof Condition.Check check && check.extension() != null) {
                    tested.add(check.extension());
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(tested).contains("tcp", "udp", "sctp", "dccp", "multiport", "icmp", "icmp6", "conntrack", "state",
                "mark", "connmark", "iprange", "addrtype", "length", "ttl", "hl", "tos", "dscp", "pkttype", "physdev",
                "ah", "esp", "ipcomp");
    }

    /**
     * Every target of the registry declares what it does (or that the tracer cannot tell), read
     * from the typed options of every recorded rule that uses it; none is taken for a user chain.
     */
    @Test
    void everyTargetDeclaresWhatItDoesOnEveryRecordedRule() throws RuleSyntaxException {
        ExtensionRegistry registry = StandardExtensions.registry();
        List<String> wrong = new ArrayList<>();
        Set<String> declared = new HashSet<>();
        for (RecordedRule r : recordedRules()) {
            Target target = r.rule().target();
            Family family = r.recorded().family();
            if (target == null || registry.target(target.name(), family).isEmpty()) {
                continue;
            }
            TargetSemantics semantics = registry.targetSemantics(target, family);
            if (semantics == TargetSemantics.UNDECLARED || semantics instanceof TargetSemantics.Jump
                    || semantics instanceof TargetSemantics.Goto) {
                wrong.add(r.recorded().where() + ": -j " + target.name() + " is " + semantics);
            }
            Targets.compile(target, family);
            declared.add(target.name());
        }
        assertThat(wrong).isEmpty();
        assertThat(declared).as("targets with a recorded rule").contains("ACCEPT", "MARK", "CONNMARK", "DNAT", "SNAT",
                "MASQUERADE", "REDIRECT", "NETMAP", "TTL", "HL", "TOS", "DSCP", "NOTRACK", "CT", "LOG", "NFLOG",
                "NFQUEUE", "HMARK", "SNPT", "DNPT", "SYNPROXY", "TPROXY");
        // The rest (QUEUE, which nf_tables refuses, and targets this kernel lacks) declare the same whatever the options.
        for (ExtensionSpec spec : registry.all()) {
            if (spec.kind() == ExtensionKind.TARGET && !declared.contains(spec.name())) {
                assertThat(spec.targetSemantics(List.of())).as(spec.name()).isNotEqualTo(TargetSemantics.UNDECLARED);
            }
        }
        assertThat(registry.target("QUEUE", Family.IPV4).orElseThrow().targetSemantics(List.of()))
                .isEqualTo(new TargetSemantics.Queue(Range.of(0), false));
    }

    @Test
    void aTargetThatDeclaresNothingIsUndecidedAndAnUnknownNameIsAChain() {
        ExtensionSpec bare = ExtensionSpec.target("BARE", "a target whose spec declares nothing");
        assertThat(bare.targetSemantics(List.of())).isEqualTo(TargetSemantics.UNDECLARED);
        ExtensionRegistry registry = StandardExtensions.registry();
        assertThat(registry.targetSemantics(new Target("WEB", Target.Kind.GOTO, List.of()), Family.IPV4))
                .isEqualTo(new TargetSemantics.Goto("WEB"));
        assertThat(registry.targetSemantics(Target.jump("WEB"), Family.IPV4))
                .isEqualTo(new TargetSemantics.Jump("WEB"));
        assertThat(registry.targetSemantics(null, Family.IPV4)).isEqualTo(TargetSemantics.NOTHING);
    }

    @Test
    void aMatchWhoseSpecDeclaresNothingIsUndecided() throws RuleSyntaxException {
        Rule rule = new RuleParser(StandardExtensions.registry(), Family.IPV4, NameDatabase.system())
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
