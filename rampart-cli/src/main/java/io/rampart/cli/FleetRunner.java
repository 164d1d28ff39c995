package io.rampart.cli;

import io.rampart.config.RulesetSource;
import io.rampart.fleet.Bundle;
import io.rampart.fleet.EtcdStore;
import io.rampart.fleet.Publisher;
import io.rampart.fleet.Revision;
import io.rampart.fleet.StoreLayout;
import io.rampart.model.Family;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** What the fleet commands do, kept apart from their options so that only they load the etcd client. */
final class FleetRunner {

    private FleetRunner() {
    }

    /** One publish as --json prints it. */
    record PublishResult(String revision, boolean stored) {
    }

    static int publish(String endpoints, String prefix, Path file, String message, boolean json, PrintWriter out,
                       PrintWriter err) {
        RulesetSource source = RulesetFiles.load(file, Family.IPV4, Optional.empty());
        err.print(RulesetFiles.render(source, false));
        err.flush();
        if (source.hasErrors()) {
            throw new InputException(RulesetFiles.render(source, true).stripTrailing()
                    + "\n" + file + ": not published: it does not check clean");
        }
        Revision revision = Revision.of(Bundle.collect(file, source.files().keySet()), publisher(), Instant.now(),
                message);
        Publisher.Published published;
        try (EtcdStore store = EtcdStore.connect(endpoints, new StoreLayout(prefix))) {
            published = new Publisher(store).publish(revision);
        }
        if (json) {
            out.println(Json.line(new PublishResult(published.revision(), published.stored())));
        } else {
            out.println(published.stored() ? "published " + file + " (" + revision.bundle().files().size()
                    + " file(s))" : "already published: the same content");
            out.println(published.revision());
        }
        return ExitCode.OK;
    }

    /** Who publishes: the user and the machine. */
    private static String publisher() {
        String host;
        try {
            host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            host = "unknown";
        }
        return System.getProperty("user.name") + "@" + host;
    }
}
