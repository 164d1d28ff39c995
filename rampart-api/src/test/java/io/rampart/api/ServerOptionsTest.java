package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Failure;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listening addresses, the TLS rule and the token file, without a server. */
class ServerOptionsTest {

    @TempDir
    Path dir;

    private static ServerOptions listening(String address, Path keystore) {
        return new ServerOptions(ServerOptions.parseListen(address), keystore, new char[0], ServerToken.of("t"),
                ServerOptions.DEFAULT_MAX_BODY);
    }

    @Test
    void addressesAreParsedAndNamesRefused() {
        assertThat(ServerOptions.parseListen("127.0.0.1:8080")).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(ServerOptions.parseListen("[::1]:0").getAddress().isLoopbackAddress()).isTrue();
        for (String bad : new String[] {"8080", "localhost:8080", "127.0.0.1:http", "127.0.0.1:70000", ":80"}) {
            assertThatThrownBy(() -> ServerOptions.parseListen(bad)).as(bad).isInstanceOf(Failure.class)
                    .hasMessageStartingWith("--listen: expected ADDRESS:PORT")
                    .satisfies(e -> assertThat(((Failure) e).category()).isEqualTo(Failure.Category.USAGE));
        }
    }

    @Test
    void anAddressOtherHostsReachNeedsTls() {
        listening("127.0.0.1:0", null).validate();
        listening("[::1]:0", null).validate();
        assertThatThrownBy(() -> listening("0.0.0.0:8080", null).validate()).isInstanceOf(Failure.class)
                .hasMessage("--listen 0.0.0.0 is reachable from other hosts: give --tls-keystore (and"
                        + " --tls-password-file) to serve HTTPS, or listen on 127.0.0.1");
        assertThatThrownBy(() -> ApiServer.start(null, listening("192.0.2.1:8080", null), null))
                .isInstanceOf(Failure.class).hasMessageContaining("--tls-keystore");
        listening("0.0.0.0:8443", dir.resolve("server.p12")).validate();
    }

    @Test
    void aGeneratedTokenIsRandomAndOnlyItsOwnerReadsIt() throws Exception {
        Path file = dir.resolve("run/rampart/serve.token");
        ServerToken first = ServerToken.generateInto(file);
        assertThat(first.value()).matches("[0-9a-f]{64}");
        assertThat(Files.readString(file)).isEqualTo(first.value() + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ServerToken.generateInto(file).value()).isNotEqualTo(first.value());
        assertThat(ServerToken.readFrom(file).authorizes("Bearer " + Files.readString(file).strip())).isTrue();
        assertThat(ServerToken.readFrom(file).authorizes("Bearer " + first.value())).isFalse();
        assertThat(ServerToken.readFrom(file).authorizes(null)).isFalse();
    }

    @Test
    void aGivenTokenFileReadableByOthersIsRefused() throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "a-token-of-enough-length\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ServerToken.readFrom(file)).isInstanceOf(Failure.class)
                .hasMessage(file + ": the token file must be readable by its owner only (chmod 600 " + file + ")");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(ServerToken.readFrom(file).value()).isEqualTo("a-token-of-enough-length");
    }
}
