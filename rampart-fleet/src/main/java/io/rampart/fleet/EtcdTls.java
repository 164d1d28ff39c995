package io.rampart.fleet;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.rampart.model.Failure;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS to etcd with a client certificate, as etcd's {@code --client-cert-auth} asks: the CA that
 * signed the servers' certificates, and this client's certificate and key (PEM; the key in PKCS#8,
 * as {@code openssl genpkey} writes it). With etcd's authentication enabled, the certificate's
 * common name is the etcd user the client acts as.
 */
public record EtcdTls(Path caCert, Path cert, Path key) {

    /**
     * The TLS of the options {@code --etcd-cacert}, {@code --etcd-cert} and {@code --etcd-key}: null
     * when none is given; all three or none.
     */
    public static EtcdTls of(Path caCert, Path cert, Path key) {
        if (caCert == null && cert == null && key == null) {
            return null;
        }
        if (caCert == null || cert == null || key == null) {
            throw new Failure(Failure.Category.USAGE, "TLS to etcd takes all three of --etcd-cacert, --etcd-cert"
                    + " and --etcd-key");
        }
        for (Path file : new Path[] {caCert, cert, key}) {
            if (!Files.isReadable(file)) {
                throw new Failure(Failure.Category.INPUT, file + ": cannot read it (TLS to etcd)");
            }
        }
        return new EtcdTls(caCert, cert, key);
    }

    SslContext sslContext() {
        try {
            return GrpcSslContexts.forClient().trustManager(caCert.toFile()).keyManager(cert.toFile(), key.toFile())
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new Failure(Failure.Category.INPUT, "TLS to etcd: cannot use " + cert + " with " + key
                    + " and " + caCert + ": " + e.getMessage() + " (certificates in PEM, the key in PKCS#8 PEM)");
        }
    }
}
