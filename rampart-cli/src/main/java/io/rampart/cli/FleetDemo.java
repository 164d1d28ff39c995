package io.rampart.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rampart demo fleet}; the work is in {@link FleetDemoRun}, so only this demo loads the etcd client. */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = "Start one etcd and three hosts, each a throwaway network namespace with its own fleet agent;"
                + " publish a ruleset, roll it out in waves, show the fleet's status and each kernel's rules, roll"
                + " out a revision one host's values break (halted, its wave returned), fix the value and resume;"
                + " then stop everything and remove the namespaces.")
final class FleetDemo implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return FleetDemoRun.run(spec.commandLine().getOut());
    }
}
