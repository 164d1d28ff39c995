package io.rampart.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Failure;
import io.rampart.model.Family;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.syntax.RulesetParser;
import io.rampart.trace.Host;
import io.rampart.trace.Prefix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lockout guard on rulesets and a host described in memory; the kernel tests cover the live path. */
class LockoutGuardTest {

    private static final Host HOST = Host.of(
            List.of(new Host.Address("eth0", Prefix.parse("10.9.0.1/24", Family.IPV4))),
            List.of(new Host.Route(Prefix.parse("10.9.0.0/24", Family.IPV4), "eth0")), false);

    private static final LockoutGuard.SshSession SESSION = LockoutGuard.SshSession.parse("10.9.0.2 50022 10.9.0.1 22")
            .orElseThrow();

    private static DesiredState desired(String text) throws Exception {
        return DesiredState.of(new RulesetParser(StandardExtensions.registry(), Family.IPV4,
                NameDatabase.system()).parseWithLines(text),
                StandardExtensions.registry(), "host.rules");
    }

    @Test
    void namesTheFileLineOfTheRuleThatDropsTheSession() throws Exception {
        String text = """
                *filter
                :INPUT ACCEPT [0:0]
                -A INPUT -i lo -j ACCEPT
                -A INPUT -p tcp --dport 22 -j DROP
                COMMIT
                """;
        assertThatThrownBy(() -> LockoutGuard.check(SESSION, text, desired(text), HOST, NameDatabase.system()))
                .isInstanceOf(Failure.class)
                .hasMessageStartingWith("host.rules:4:1: error: this ruleset would cut off the SSH session")
                .hasMessageContaining("10.9.0.2:50022 -> 10.9.0.1:22")
                .hasMessageContaining("incoming packets are dropped by filter INPUT rule 2 "
                        + "`-A INPUT -p tcp -m tcp --dport 22 -j DROP'")
                .hasMessageContaining("--force");
    }

    @Test
    void aReplyDroppedInAChainTheFileDoesNotManageIsNamedWithItsChain() throws Exception {
        String file = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n";
        String after = "*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:OTHER - [0:0]\n-A INPUT -i lo -j ACCEPT\n"
                + "-A OUTPUT -j OTHER\n-A OTHER -p tcp -m tcp --sport 22 -j REJECT\nCOMMIT\n";
        assertThatThrownBy(() -> LockoutGuard.check(SESSION, after, desired(file), HOST, NameDatabase.system()))
                .hasMessageStartingWith("host.rules: error: ")
                .hasMessageContaining("its replies are dropped by filter OTHER rule 1")
                .hasMessageContaining("a rule host.rules does not manage");
    }

    private static final OutgoingConnection ETCD = new OutgoingConnection("etcd", "10.9.0.5", 2379);

    @Test
    void namesTheRuleThatDropsTheNewConnectionsToAServer() throws Exception {
        String text = """
                *filter
                :OUTPUT ACCEPT [0:0]
                -A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
                -A OUTPUT -p tcp --dport 2379 -j REJECT
                COMMIT
                """;
        assertThatThrownBy(() -> LockoutGuard.check(ETCD, text, desired(text), HOST, NameDatabase.system()))
                .isInstanceOf(Failure.class)
                .hasMessageStartingWith("host.rules:4:1: error: this ruleset would cut off this host's connections to"
                        + " etcd (10.9.0.1:32768 -> 10.9.0.5:2379): its new connections are dropped by filter OUTPUT"
                        + " rule 2 `-A OUTPUT -p tcp -m tcp --dport 2379 -j REJECT --reject-with icmp-port-unreachable'")
                .hasMessageContaining("nothing was changed");
    }

    @Test
    void namesTheRuleThatDropsTheServersReplies() throws Exception {
        String text = """
                *filter
                :INPUT DROP [0:0]
                -A INPUT -i lo -j ACCEPT
                -A INPUT -p tcp --sport 22 -j ACCEPT
                COMMIT
                """;
        assertThatThrownBy(() -> LockoutGuard.check(ETCD, text, desired(text), HOST, NameDatabase.system()))
                .hasMessageStartingWith("host.rules: error: this ruleset would cut off this host's connections to etcd")
                .hasMessageContaining("its replies are dropped by the policy DROP of filter INPUT");
        String allowed = text.replace("--sport 22", "-m conntrack --ctstate ESTABLISHED");
        LockoutGuard.check(ETCD, allowed, desired(allowed), HOST, NameDatabase.system());
    }

    @Test
    void aServerOnTheHostItselfIsReachedOverLoopbackAndOneWithoutARouteIsNoneOfTheRulesetsBusiness()
            throws Exception {
        String text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i eth0 -j ACCEPT\nCOMMIT\n";
        assertThatThrownBy(() -> LockoutGuard.check(new OutgoingConnection("etcd", "127.0.0.1", 2379), text,
                desired(text), HOST, NameDatabase.system()))
                .hasMessageContaining("(127.0.0.1:32768 -> 127.0.0.1:2379): its new connections are dropped by the policy DROP of filter INPUT");
        LockoutGuard.check(new OutgoingConnection("etcd", "203.0.113.9", 2379), text, desired(text), HOST,
                NameDatabase.system());
        LockoutGuard.check(new OutgoingConnection("etcd", "2001:db8::9", 2379), text, desired(text), HOST,
                NameDatabase.system());
    }

    @Test
    void anEstablishedAcceptBeforeTheDropLetsTheSessionThrough() throws Exception {
        String text = """
                *filter
                :INPUT DROP [0:0]
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
                -A INPUT -p tcp --dport 22 -j DROP
                COMMIT
                """;
        LockoutGuard.check(SESSION, text, desired(text), HOST, NameDatabase.system());
    }

    @Test
    void aSessionOfTheOtherFamilyIsNotChecked() throws Exception {
        String text = "*filter\n:INPUT DROP [0:0]\nCOMMIT\n";
        LockoutGuard.SshSession v6 = LockoutGuard.SshSession.parse("2001:db8::2 50022 2001:db8::1 22").orElseThrow();
        assertThat(v6.family()).isEqualTo(Family.IPV6);
        LockoutGuard.check(v6, text, desired(text), HOST, NameDatabase.system());
    }

    @Test
    void sshConnectionIsReadOrRefused() {
        assertThat(LockoutGuard.SshSession.parse(null)).isEmpty();
        assertThat(LockoutGuard.SshSession.parse("")).isEmpty();
        assertThat(LockoutGuard.SshSession.parse("10.0.0.2 5 10.0.0.1 22").orElseThrow().toString())
                .isEqualTo("10.0.0.2:5 -> 10.0.0.1:22");
        assertThatThrownBy(() -> LockoutGuard.SshSession.parse("10.0.0.2 5 10.0.0.1"))
                .isInstanceOf(Failure.class).hasMessageContaining("SSH_CONNECTION `10.0.0.2 5 10.0.0.1'");
        assertThatThrownBy(() -> LockoutGuard.SshSession.parse("10.0.0.2 x 10.0.0.1 22"))
                .isInstanceOf(Failure.class);
        assertThatThrownBy(() -> LockoutGuard.SshSession.parse("10.0.0.2 5 10.0.0.1 70000"))
                .isInstanceOf(Failure.class);
    }
}
