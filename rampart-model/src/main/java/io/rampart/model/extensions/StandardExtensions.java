package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import java.util.ArrayList;
import java.util.List;


/** The registry of every extension Rampart supports. */
public final class StandardExtensions {

    /**
     * Targets iptables 1.8.9 still knows but current kernels no longer have, with what replaces
     * them: a rule naming one is refused, never read as a jump to a chain of that name.
     */
    private static final List<ExtensionRegistry.WithdrawnTarget> WITHDRAWN_TARGETS = List.of(
            new ExtensionRegistry.WithdrawnTarget("CLUSTERIP", Family.IPV4,
                    "use the cluster match (-m cluster) with a multicast MAC address instead"),
            new ExtensionRegistry.WithdrawnTarget("ULOG", Family.IPV4, "use NFLOG (-j NFLOG --nflog-group N) instead"));

    private static final ExtensionRegistry REGISTRY = new ExtensionRegistry(all(), WITHDRAWN_TARGETS);

    private StandardExtensions() {
    }

    public static ExtensionRegistry registry() {
        return REGISTRY;
    }

    private static List<ExtensionSpec> all() {
        List<ExtensionSpec> specs = new ArrayList<>();
        specs.addAll(HeaderOptions.specs());
        specs.addAll(TcpUdpMatches.specs());
        specs.addAll(ProtocolMatches.specs());
        specs.addAll(PacketMatches.specs());
        specs.addAll(Ipv6HeaderMatches.specs());
        specs.addAll(InterfaceMatches.specs());
        specs.addAll(VerdictTargets.specs());
        specs.addAll(ContentMatches.specs());
        specs.addAll(SetExtensions.specs());
        specs.addAll(LoggingTargets.specs());
        specs.addAll(RejectTarget.specs());
        specs.addAll(PacketTargets.specs());
        specs.addAll(ConntrackMatches.specs());
        specs.addAll(MetaMatches.specs());
        specs.addAll(SocketMatches.specs());
        specs.addAll(PolicyMatch.specs());
        specs.addAll(IpsecMatches.specs());
        specs.addAll(AccountingMatches.specs());
        specs.addAll(RateMatches.specs());
        specs.add(HashlimitMatch.spec());
        specs.addAll(StateMatches.specs());
        specs.add(TimeMatch.spec());
        specs.addAll(MarkTargets.specs());
        specs.addAll(HeaderTargets.specs());
        specs.addAll(ConntrackTargets.specs());
        specs.addAll(NatTargets.specs());
        specs.addAll(PrefixTranslationTargets.specs());
        specs.add(HmarkTarget.spec());
        specs.addAll(SignalTargets.specs());
        specs.addAll(SecurityTargets.specs());
        return specs;
    }
}
