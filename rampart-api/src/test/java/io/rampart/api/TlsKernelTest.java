package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.system.KernelTestSupport;
import io.rampart.system.Netns;
import io.rampart.system.ProcessResult;
import io.rampart.system.ProcessRunner;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a self-signed certificate made by the JDK's keytool. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsKernelTest {

    private static final char[] PASSWORD = "rampart-test".toCharArray();

    @TempDir
    static Path dir;

    static Netns netns;
    static ApiServer server;
    static Path keystore;

    @BeforeAll
    static void start() {
        KernelTestSupport.requireKernel();
        keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        ProcessResult made = ProcessRunner.system().run(List.of(keytool, "-genkeypair", "-keystore",
                keystore.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD), "-alias", "rampart",
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost"), "");
        assertThat(made.ok()).as(made.stderr()).isTrue();
        netns = Netns.throwaway("tls", ProcessRunner.system());
        server = ApiServer.start(new RampartService(netns.name().orElseThrow(), Family.IPV4, null,
                        ProcessRunner.system(), NameDatabase.system()),
                new ServerOptions(new InetSocketAddress("127.0.0.1", 0), keystore, PASSWORD, ServerToken.of("t"),
                        ServerOptions.DEFAULT_MAX_BODY), ProcessRunner.system());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (netns != null) {
            netns.close();
        }
    }

    /** A client that trusts exactly the test's certificate. */
    private static HttpClient trusting() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).build();
    }

    @Test
    void servesHttpsWithTheKeystoresCertificate() throws Exception {
        assertThat(server.url()).startsWith("https://127.0.0.1:");
        HttpResponse<String> info = trusting().send(HttpRequest.newBuilder(URI.create(server.url() + "api/info"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.body()).contains("\"netns\":\"" + netns.name().orElseThrow() + "\"");
    }

    @Test
    void plainHttpAndUntrustingClientsGetNothing() {
        String plain = server.url().replace("https://", "http://") + "api/info";
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(plain)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()))
                .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void aWrongKeystorePasswordIsRefusedAtStart() {
        assertThatThrownBy(() -> ApiServer.start(new RampartService(netns.name().orElseThrow(), Family.IPV4, null,
                        ProcessRunner.system(), NameDatabase.system()),
                                new ServerOptions(new InetSocketAddress("127.0.0.1", 0), keystore,
                        "wrong".toCharArray(), ServerToken.of("t"), ServerOptions.DEFAULT_MAX_BODY),
                        ProcessRunner.system()))
                .isInstanceOf(Failure.class)
                .hasMessageStartingWith(keystore + ": cannot use it as a PKCS12 keystore");
    }
}
