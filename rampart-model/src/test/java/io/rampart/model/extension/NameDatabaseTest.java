package io.rampart.model.extension;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /etc/protocols and /etc/services as getprotobyname(3) and getservbyname(3) read them. */
class NameDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void readsNamesAliasesAndNumbersPastCommentsBlanksAndTabs() throws IOException {
        Path protocols = Files.writeString(dir.resolve("protocols"), "# Internet protocols\n\n"
                + "ip\t0\tIP\t\t# internet protocol\n"
                + "  ipencap 4 IP-ENCAP   # IP encapsulated in IP\n"
                + "broken x NOPE\n"
                + "gre\t47\tGRE\n");
        Path services = Files.writeString(dir.resolve("services"), "#\n"
                + "ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\n"
                + "domain\t53/udp\n"
                + "http 80/tcp www\t# WorldWideWeb HTTP\n"
                + "odd\t/tcp\n"
                + "   \t \n");
        NameDatabase names = new NameDatabase(protocols, services);
        assertThat(names.systemProtocolNumber("ipencap")).contains(4);
        assertThat(names.systemProtocolNumber("IP-ENCAP")).contains(4);
        assertThat(names.systemProtocolName(47)).contains("gre");
        assertThat(names.systemProtocolNumber("broken")).isEmpty();
        assertThat(names.servicePort("ssh", "tcp")).contains(22);
        assertThat(names.servicePort("ssh", "udp")).isEmpty();
        assertThat(names.servicePort("domain", "udp")).contains(53);
        assertThat(names.servicePort("www", "tcp")).contains(80);
        assertThat(names.servicePort("odd", "tcp")).isEqualTo(Optional.empty());
    }

    @Test
    void missingFilesLeaveIptablesOwnNames() {
        NameDatabase names = new NameDatabase(dir.resolve("none"), dir.resolve("none either"));
        assertThat(names.protocolNumber("tcp")).contains(6);
        assertThat(names.systemProtocolNumber("gre")).isEmpty();
    }
}
