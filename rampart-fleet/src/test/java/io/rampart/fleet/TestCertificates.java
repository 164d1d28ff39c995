package io.rampart.fleet;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority made with openssl for TLS tests: etcd's server certificate for
 * 127.0.0.1 and client certificates whose common name is the etcd user they stand for. Keys are EC
 * P-256 in PKCS#8 PEM, as openssl 3 writes them.
 */
public final class TestCertificates {

    private final Path dir;
    private int serial = 1;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A new authority in {@code dir}. */
    public static TestCertificates authority(Path dir) {
        TestCertificates ca = new TestCertificates(dir);
        ca.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", ca.caKey().toString(), "-out", ca.caCert().toString(), "-days", "2",
                "-subj", "/CN=rampart test CA");
        return ca;
    }

    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    private Path caKey() {
        return dir.resolve("ca.key");
    }

    /** etcd's certificate for 127.0.0.1. */
    public EtcdCluster.ServerTls server() {
        Path[] files = issue("etcd", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        return new EtcdCluster.ServerTls(caCert(), files[0], files[1]);
    }

    /** A client certificate and key for the etcd user {@code name}. */
    public EtcdTls client(String name) {
        Path[] files = issue(name, "extendedKeyUsage=clientAuth\n");
        return new EtcdTls(caCert(), files[0], files[1]);
    }

    private Path[] issue(String commonName, String extensions) {
        Path key = dir.resolve(commonName + ".key");
        Path request = dir.resolve(commonName + ".csr");
        Path cert = dir.resolve(commonName + ".crt");
        Path ext = dir.resolve(commonName + ".ext");
        try {
            Files.writeString(ext, extensions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                key.toString(), "-out", request.toString(), "-subj", "/CN=" + commonName);
        openssl("x509", "-req", "-in", request.toString(), "-CA", caCert().toString(), "-CAkey", caKey().toString(),
                "-set_serial", Integer.toString(++serial), "-days", "2", "-extfile", ext.toString(),
                "-out", cert.toString());
        return new Path[] {cert, key};
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                fail(String.join(" ", command) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run openssl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
