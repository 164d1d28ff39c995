package io.rampart.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessRunner;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rampart serve}: what it refuses before listening, and one real start and stop. */
class ServeCommandTest {

    @TempDir
    Path dir;

    private static Run run(String... args) {
        return Run.of(args);
    }

    @Test
    void anAddressOtherHostsReachWithoutTlsIsAUsageErrorAndWritesNoToken() {
        Path token = dir.resolve("serve.token");
        Run run = run("serve", "--listen", "0.0.0.0:8080", "--token-file", token.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("rampart: --listen 0.0.0.0 is reachable from other hosts: give --tls-keystore");
        assertThat(token).doesNotExist();
    }

    @Test
    void badOptionsAreUsageErrors() {
        Run listen = run("serve", "--listen", "localhost:8080");
        assertThat(listen.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(listen.err()).contains("--listen: expected ADDRESS:PORT");
        Run password = run("serve", "--tls-password-file", dir.resolve("pw").toString());
        assertThat(password.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(password.err()).contains("--tls-password-file goes with --tls-keystore");
        Run file = run("serve", dir.resolve("missing.rules").toString());
        assertThat(file.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(file.err()).contains("missing.rules: no such file");
    }

    @Test
    void servesTheNamespaceWithAGeneratedTokenUntilStopped() throws Exception {
        KernelTestSupport.requireKernel();
        Path token = dir.resolve("run/serve.token");
        try (Netns netns = Netns.throwaway("serve", ProcessRunner.system())) {
            PipedWriter pipe = new PipedWriter();
            BufferedReader lines = new BufferedReader(new PipedReader(pipe));
            AtomicInteger exit = new AtomicInteger(-1);
            Thread serving = new Thread(() -> exit.set(Main.run(new String[] {"serve", "--netns",
                    netns.name().orElseThrow(), "--listen", "127.0.0.1:0", "--token-file", token.toString(), "--json"},
                    new ByteArrayInputStream(new byte[0]), new PrintWriter(pipe, true),
                    new PrintWriter(new StringWriter()), Map.of())));
            serving.start();
            JsonNode started = new ObjectMapper().readTree(lines.readLine());
            assertThat(started.get("tokenFile").asText()).isEqualTo(token.toString());
            assertThat(Files.readString(token)).matches("[0-9a-f]{64}\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
            HttpResponse<String> info = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(started.get("url").asText() + "api/info")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(info.statusCode()).isEqualTo(200);
            assertThat(info.body()).contains(netns.name().orElseThrow());
            serving.interrupt();
            serving.join();
            assertThat(exit.get()).isEqualTo(ExitCode.OK);
        }
    }
}
