package io.rampart.model.extensions;

import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import java.util.ArrayList;
import java.util.List;

/** The registry of every extension Rampart supports. */
public final class StandardExtensions {

    private static final ExtensionRegistry REGISTRY = new ExtensionRegistry(all());

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
        return specs;
    }
}
