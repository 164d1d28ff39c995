package io.rampart.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.ApplyException;
import io.rampart.reconcile.Xtables;
import io.rampart.syntax.KernelModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The operations against a recording fake of the system: what is refused, and what is written when. */
class LoadBalancerTest {

    private static final String EMPTY_NAT = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
            + ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n";

    /**
     * Starts from an empty nat table per family; records restores and accepts or refuses them, an
     * accepted one changing what the next save answers as iptables-restore would.
     */
    private static final class FakeHost implements LbHost, Xtables {
        final List<String> restores = new ArrayList<>();
        final List<Family> forwarded = new ArrayList<>();
        final Map<Family, String> saved = new EnumMap<>(Family.class);
        boolean refuse;

        @Override
        public Xtables xtables() {
            return this;
        }

        @Override
        public String saveNatWithCounters(Family family) {
            return EMPTY_NAT;
        }

        @Override
        public void enableForwarding(Family family) {
            forwarded.add(family);
        }

        @Override
        public String save(Family family) {
            return saved.getOrDefault(family, EMPTY_NAT);
        }

        @Override
        public RestoreResult restore(Family family, String script) {
            restores.add(script);
            if (refuse) {
                return new RestoreResult(false, "iptables-restore: line 3 failed: No chain/target/match by that name.");
            }
            saved.put(family, KernelModel.after(save(family), script));
            return new RestoreResult(true, "");
        }
    }

    @TempDir
    Path dir;

    private FakeHost host;
    private Path stateFile;
    private String stateBefore;

    @BeforeEach
    void existingState() throws Exception {
        host = new FakeHost();
        stateFile = dir.resolve("local/state.db");
        balancer().execute(request("web", "10.0.0.1:80", "10.0.1.1:8080,10.0.1.2:8080"));
        stateBefore = Files.readString(stateFile);
        host.restores.clear();
    }

    private LoadBalancer balancer() {
        return new LoadBalancer(host, StandardExtensions.registry(), stateFile);
    }

    private static Request request(String profile, String source, String destinations) {
        return new Request(profile, source, destinations, "client", "tcp", false, false, false, false, false, "4", true,
                true);
    }

    private static Request running(Request r) {
        return new Request(r.profile(), r.source(), r.destinations(), r.rulesBackend(), r.protocol(), r.reset(),
                r.delete(), true, r.useState(), r.logEnabled(), r.logLevel(), r.masquerade(), r.forwarding());
    }

    private static Request with(String backend, String protocol, String logLevel, Request r) {
        return new Request(r.profile(), r.source(), r.destinations(), backend, protocol, r.reset(), r.delete(),
                r.run(), r.useState(), r.logEnabled(), logLevel, r.masquerade(), r.forwarding());
    }

    private static Request flags(Request r, boolean reset, boolean delete, boolean useState) {
        return new Request(r.profile(), r.source(), r.destinations(), r.rulesBackend(), r.protocol(), reset, delete,
                r.run(), useState, r.logEnabled(), r.logLevel(), r.masquerade(), r.forwarding());
    }

    static Stream<Arguments> badInputs() {
        Request ok = request("api", "10.0.0.2:80", "10.0.1.1:8080,10.0.1.2:8080");
        return Stream.of(
                Arguments.of(request("api", "10.0.0.256:80", "10.0.1.1:80"), "-src-addr: bad address `10.0.0.256:80':"
                        + " octet 256 is out of range 0-255"),
                Arguments.of(request("api", "10.0.0.2:80", "10.0.1.1:80,10.0.1.999:80"), "-dest-addr: bad address"
                        + " `10.0.1.999:80': octet 999 is out of range 0-255"),
                Arguments.of(request("api", "10.0.0.2", "10.0.1.1:80"), "-src-addr: bad address `10.0.0.2': expected"
                        + " IP:PORT"),
                Arguments.of(request("api", "10.0.0.2:0", "10.0.1.1:80"), "-src-addr: bad address `10.0.0.2:0': port"
                        + " 0 is out of range 1-65535"),
                Arguments.of(request("api", "10.0.0.2:80", "10.0.1.1:65536"), "-dest-addr: bad address"
                        + " `10.0.1.1:65536': port 65536 is out of range 1-65535"),
                Arguments.of(request("api", "10.0.0.2:http", "10.0.1.1:80"), "-src-addr: bad address"
                        + " `10.0.0.2:http': port `http' is not a number 1-65535"),
                Arguments.of(request("api", "2001:db8::1:80", "10.0.1.1:80"), "-src-addr: bad address"
                        + " `2001:db8::1:80': an IPv6 address needs brackets: [ADDRESS]:PORT"),
                Arguments.of(request("api", "[2001:db8::1]:80", "10.0.1.1:80"), "-dest-addr: 10.0.1.1:80 is IPv4 but"
                        + " the source [2001:db8::1]:80 is IPv6"),
                Arguments.of(request("api", "10.0.0.2:80", "10.0.1.1:80,,10.0.1.2:80"), "-dest-addr: empty entry in"
                        + " `10.0.1.1:80,,10.0.1.2:80': separate IP:PORT entries by single commas"),
                Arguments.of(request("api", "10.0.0.2:80", "10.0.1.1:80,10.0.1.1:80"), "-dest-addr: 10.0.1.1:80 is"
                        + " listed twice; give it a weight instead (10.0.1.1:80*2)"),
                Arguments.of(request("api", "10.0.0.2:80", "10.0.1.1:80*0"), "-dest-addr: bad weight `0' in"
                        + " `10.0.1.1:80*0': use a whole number 1-1000"),
                Arguments.of(with("server2", "tcp", "4", ok), "-rules-backend: unknown rules backend `server2': use"
                        + " client, proxy or server"),
                Arguments.of(with("client", "icmp", "4", ok), "-protocol: unknown protocol `icmp': use tcp, udp, sctp,"
                        + " dccp"),
                Arguments.of(with("client", "tcp", "9", ok), "-log-level: bad level `9': use 0-7 or one of emerg,"
                        + " alert, crit, error, warning, notice, info, debug"),
                Arguments.of(request("bad name", "10.0.0.2:80", "10.0.1.1:80"), "-profile: bad profile name `bad"
                        + " name': use 1-64 letters, digits, `_', `.' or `-', starting with a letter or digit"),
                Arguments.of(request("api", "10.0.0.2:80", null), "-dest-addr is missing: give the addresses to"
                        + " balance to"),
                Arguments.of(request("api", "10.0.0.1:80", "10.0.1.3:80"), "-src-addr: 10.0.0.1:80 (tcp) is already"
                        + " balanced by profile `web'; one profile per address, port and protocol"),
                Arguments.of(request("web", "10.0.0.1:80", "10.0.1.3:80"), "-profile: profile `web' already exists in "
                        + "STATE with other settings; add -reset to replace it"),
                Arguments.of(flags(request("we", null, null), false, true, false), "-profile: STATE has no profile `we'"
                        + " (it has web)"),
                Arguments.of(flags(ok, true, true, false), "-delete and -reset exclude each other"),
                Arguments.of(flags(ok, false, false, true), "-use-state applies the state file's profiles; it takes no"
                        + " -src-addr or -dest-addr"),
                Arguments.of(request("we", null, null), "-src-addr and -dest-addr are needed: STATE has no profile"
                        + " `we' to apply (it has web)"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void badInputIsRefusedAndChangesNothing(Request bad, String message) throws Exception {
        for (Request attempt : List.of(bad, running(bad))) {
            assertThatThrownBy(() -> balancer().execute(attempt)).isInstanceOf(LbException.class)
                    .hasMessage(message.replace("STATE", stateFile.toString()));
            assertThat(host.restores).as("the kernel is not touched").isEmpty();
            assertThat(Files.readString(stateFile)).as("the state file is not touched").isEqualTo(stateBefore);
        }
    }

    @Test
    void aKernelRefusalLeavesTheStateFileAsItWas() throws Exception {
        host.refuse = true;
        assertThatThrownBy(() -> balancer().execute(running(request("api", "10.0.0.2:80", "10.0.1.1:80"))))
                .isInstanceOf(ApplyException.class).hasMessageContaining("(nothing was changed)");
        assertThat(host.restores).hasSize(1);
        assertThat(Files.readString(stateFile)).isEqualTo(stateBefore);
    }

    @Test
    void withoutRunOnlyTheStateIsWrittenAndWithRunTheKernelFirst() throws Exception {
        LbResult saved = balancer().execute(request("api", "10.0.0.2:80", "10.0.1.1:80"));
        assertThat(saved.stateWritten()).isTrue();
        assertThat(host.restores).isEmpty();
        assertThat(StateFile.read(stateFile)).containsOnlyKeys("web", "api");

        LbResult applied = balancer().execute(running(request("api", null, null)));
        assertThat(applied.stateWritten()).isFalse();
        assertThat(host.restores).singleElement().asString()
                .contains("-A IPTLB_NAT_API -p tcp -j DNAT --to-destination 10.0.1.1:80")
                .as("a profile only saved earlier stays out of the kernel").doesNotContain("IPTLB_NAT_WEB");
    }

    @Test
    void oneProfilePerAddressPortAndProtocolNotPerAddress() throws Exception {
        Request udp = with("client", "udp", "4", request("web-dns", "10.0.0.1:80", "10.0.1.3:80"));
        balancer().execute(udp);
        assertThat(StateFile.read(stateFile)).containsOnlyKeys("web", "web-dns");
    }

    @Test
    void aProxyTurnsOnForwardingUnlessToldNot() throws Exception {
        Request proxy = running(with("proxy", "tcp", "4", request("p", "10.0.0.9:80", "10.0.1.1:80")));
        balancer().execute(proxy);
        assertThat(host.forwarded).containsExactly(Family.IPV4);
        assertThat(host.restores.get(0)).contains("-j MASQUERADE");
        Request quiet = new Request("q", "10.0.0.8:80", "10.0.1.1:80", "proxy", "tcp", false, false, true, false,
                false, "4", false, false);
        host.restores.clear();
        balancer().execute(quiet);
        assertThat(host.forwarded).containsExactly(Family.IPV4);
        assertThat(host.restores.get(0)).doesNotContain("--ctorigdst 10.0.0.8");
    }
}
