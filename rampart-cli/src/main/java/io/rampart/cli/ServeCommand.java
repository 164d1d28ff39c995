package io.rampart.cli;

import io.rampart.api.ApiServer;
import io.rampart.api.FleetSource;
import io.rampart.api.RampartService;
import io.rampart.api.ServerOptions;
import io.rampart.api.ServerToken;
import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The HTTP API and the page, until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the JSON API (see /openapi.json) and the page at / for the rules of --netns NS:",
                "the live ruleset, extensions, check, plan, apply, status against FILE, trace, and an event stream.",
                "Loopback only unless --listen says otherwise, and then only with TLS. Apply needs",
                "`Authorization: Bearer TOKEN'; the token is generated into --token-file (mode 0600) at start,",
                "or read from it when the file exists."})
final class ServeCommand implements Callable<Integer> {

    static final Path DEFAULT_TOKEN_FILE = Path.of("/run/rampart/serve.token");

    @Mixin
    KernelOptions options;

    @Option(names = "--listen", paramLabel = "ADDRESS:PORT", defaultValue = ServerOptions.DEFAULT_LISTEN,
            description = "Where to listen (default ${DEFAULT-VALUE}); port 0 picks a free one.")
    String listen;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "The bearer token: read from FILE when it exists, else generated into it"
                    + " (default: generated into " + "/run/rampart/serve.token).")
    Path tokenFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE.p12",
            description = "Serve HTTPS with the certificate and key of this PKCS12 keystore.")
    Path keystore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "The keystore's password (first line).")
    Path passwordFile;

    @Option(names = "--metrics-rules", paramLabel = "N", defaultValue = "" + ServerOptions.DEFAULT_METRICS_RULES,
            description = "/metrics has counters per rule while a family has at most N rules and per chain"
                    + " while it has at most N chains (per table always), so large rulesets stay a bounded set"
                    + " of series (default: ${DEFAULT-VALUE}).")
    int metricsRules;

    @Mixin
    FleetCommands.ServeOptions fleet;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "A ruleset file: status and drift events compare the kernel with it.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Family family = options.family();
        if (passwordFile != null && keystore == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--tls-password-file goes with --tls-keystore");
        }
        if (file != null && !Files.isReadable(file)) {
            throw new InputException(file + ": no such file");
        }
        try {
            ServerOptions serverOptions = new ServerOptions(ServerOptions.parseListen(listen), keystore, password(),
                    null, ServerOptions.DEFAULT_MAX_BODY).withMetricsRules(metricsRules);
            serverOptions.validate(); // before a token file is written for a server that will not start
            Path tokenPath = tokenFile == null ? DEFAULT_TOKEN_FILE : tokenFile;
            ServerToken token = tokenFile != null && Files.exists(tokenFile) ? ServerToken.readFrom(tokenFile)
                    : ServerToken.generateInto(tokenPath);
            RampartService service = new RampartService(options.netns, family, file, ProcessRunner.system(),
                    NameDatabase.system(), NetnsValueResolver::new, Main.class.getName());
            try (FleetSource shown = fleet.endpoints == null ? null : FleetRunner.fleetSource(fleet)) {
                ApiServer server = ApiServer.start(service, serverOptions.withToken(token), ProcessRunner.system(),
                        shown);
                serveUntilSignalled(server, () -> announce(server, tokenPath));
            }
            return ExitCode.OK;
        } catch (Failure e) {
            if (e.category() == Failure.Category.USAGE) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            throw e;
        }
    }

    private char[] password() {
        if (passwordFile == null) {
            return new char[0];
        }
        try {
            return Files.readString(passwordFile).lines().findFirst().orElse("").toCharArray();
        } catch (IOException e) {
            throw new InputException(passwordFile + ": cannot read: " + e.getMessage());
        }
    }

    private void announce(ApiServer server, Path tokenPath) {
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            Map<String, Object> started = new LinkedHashMap<>();
            started.put("url", server.url());
            started.put("tokenFile", tokenPath.toString());
            out.println(Json.line(started));
        } else {
            out.println("serving " + server.url() + " (" + (options.netns == null ? "host" : "netns " + options.netns)
                    + (file == null ? "" : ", " + file)
                    + (fleet.endpoints == null ? "" : ", the fleet of " + fleet.endpoints)
                    + "); the token for apply is in " + tokenPath);
        }
        out.flush();
    }

    /**
     * Serves until SIGTERM or SIGINT, or until the thread is interrupted (as tests do); then stops the
     * server. {@code started} says it is serving once the signals are this command's.
     */
    private static void serveUntilSignalled(ApiServer server, Runnable started) {
        CountDownLatch stop = new CountDownLatch(1);
        try (server; StopSignals signals = StopSignals.handle(stop::countDown)) {
            started.run();
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
