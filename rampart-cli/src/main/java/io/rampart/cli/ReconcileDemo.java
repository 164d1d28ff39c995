package io.rampart.cli;

import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.Plan;
import io.rampart.reconcile.PlanException;
import io.rampart.reconcile.Reconciler;
import io.rampart.syntax.RulesetParser;
import io.rampart.syntax.RulesetSyntaxException;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.SystemException;
import io.rampart.system.SystemXtables;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The second part of the demo: desired state applied next to another tool's rules, drift repaired. */
final class ReconcileDemo {

    private static final String FILE = "demo-desired.rules";

    private ReconcileDemo() {
    }

    static void run(Netns netns, PrintWriter out) throws RulesetSyntaxException, PlanException, ApplyException {
        String text = resource();
        DesiredState desired = DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                NameDatabase.system())
                .parseWithLines(text), StandardExtensions.registry(), FILE);
        Reconciler reconciler = new Reconciler(new SystemXtables(netns), StandardExtensions.registry());

        out.println("A fresh kernel, where another tool owns a DOCKER chain and a rule in FORWARD:");
        shell(netns, out, "nft flush ruleset && iptables -N DOCKER && iptables -A DOCKER -j RETURN"
                + " && iptables -A FORWARD -j DOCKER");
        out.printf("%n$ rampart apply %s%n", FILE);
        Reconciler.Applied applied = reconciler.apply(desired);
        PlanText.print(applied.plan(), out);
        out.printf("applied: %s%n", PlanText.summary(applied.plan()));

        out.printf("%n$ rampart apply %s   (again)%n", FILE);
        out.println(reconciler.apply(desired).written() ? "changed something (unexpected)" : "nothing to change");

        out.println("\nSomeone deletes the SSH rule by hand:");
        shell(netns, out, "iptables -D SSH 1");
        out.printf("%n$ rampart status %s%n", FILE);
        Plan drift = reconciler.plan(desired);
        out.println("drift: " + PlanText.summary(drift));
        PlanText.print(drift, out);
        out.printf("%n$ rampart apply %s%n", FILE);
        applied = reconciler.apply(desired);
        out.printf("applied: %s%n%n", PlanText.summary(applied.plan()));

        out.println("The kernel now holds (the DOCKER chain and its jump untouched):");
        ProcessResult saved = netns.run(List.of("iptables-save", "-t", "filter"), "");
        saved.stdout().lines().filter(l -> !l.startsWith("#")).forEach(l -> out.println("  " + l));
    }

    private static void shell(Netns netns, PrintWriter out, String command) {
        out.println("  # " + command);
        ProcessResult result = netns.run(List.of("sh", "-c", command), "");
        if (!result.ok()) {
            throw new SystemException("demo step failed: " + command + ": " + result.failure());
        }
    }

    private static String resource() {
        try (InputStream in = ReconcileDemo.class.getResourceAsStream(FILE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
