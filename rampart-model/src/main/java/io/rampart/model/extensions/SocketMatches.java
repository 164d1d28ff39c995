package io.rampart.model.extensions;

import io.rampart.model.Hook;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.OptionSpec;
import java.util.List;

/** Matches that look up a local socket or route for an incoming packet: socket and rpfilter. */
final class SocketMatches {

    private SocketMatches() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(socket(), rpfilter());
    }

    private static ExtensionSpec socket() {
        return ExtensionSpec.match("socket", "an incoming packet that has a matching local socket",
                        OptionSpec.flag("transparent", "only sockets with the IP_TRANSPARENT option"),
                        OptionSpec.flag("nowildcard", "also sockets bound to a wildcard address are not ignored"),
                        OptionSpec.flag("restore-skmark", "set the packet's mark to the socket's mark"))
                .atHooks(Hook.PREROUTING, Hook.INPUT);
    }

    private static ExtensionSpec rpfilter() {
        return ExtensionSpec.match("rpfilter", "the reverse path check: a reply to the source would leave"
                                + " by the interface the packet came in on",
                        OptionSpec.flag("loose", "any interface will do, as long as a route back exists"),
                        OptionSpec.flag("validmark", "use the packet's mark for the route lookup"),
                        OptionSpec.flag("accept-local", "also accept packets from a local address"),
                        OptionSpec.flag("invert", "match packets that fail the check"))
                .inTables(Table.RAW, Table.MANGLE)
                .atHooks(Hook.PREROUTING);
    }
}
