package io.rampart.model.extensions;

import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.TargetSemantics;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.List;

/** Targets for the security modules' packet labels: SECMARK sets one, CONNSECMARK copies it to or from the connection. */
final class SecurityTargets {

    private SecurityTargets() {
    }

    /** The kernel's field holds 255 bytes of context and its end. */
    private static final int CONTEXT_CHARS = 255;

    private static final ValueType CONTEXT = Values.of("security-context", "user:role:type[:level]", (raw, ctx) -> {
        if (raw.isEmpty()) {
            throw new InvalidValueException("an empty security context");
        }
        return Values.cut(raw, CONTEXT_CHARS);
    });

    private static final TargetSemantics SECURITY_LABEL = new TargetSemantics.Continues("the SELinux label");

    static List<ExtensionSpec> specs() {
        return List.of(
                ExtensionSpec.target("SECMARK", "label the packet with an SELinux security context (the kernel"
                                        + " must have a policy that knows it)",
                                OptionSpec.of("selctx", "the security context", CONTEXT).required())
                        .inTables(Table.MANGLE, Table.SECURITY)
                        .does(SECURITY_LABEL),
                ExtensionSpec.target("CONNSECMARK", "copy the packet's security label to its connection, or back",
                                OptionSpec.flag("save", "copy the packet's label to the connection"),
                                OptionSpec.flag("restore", "copy the connection's label to the packet"))
                        .inTables(Table.MANGLE, Table.SECURITY)
                        .does(SECURITY_LABEL)
                        .canonicalizedBy((options, context) -> {
                            Checks.atLeastOne(options, "CONNSECMARK", "save", "restore");
                            Checks.atMostOne(options, "CONNSECMARK", "save", "restore");
                            return options;
                        }));
    }
}
