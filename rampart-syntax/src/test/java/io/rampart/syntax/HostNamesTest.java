package io.rampart.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.NameDatabase;
import io.rampart.model.extensions.StandardExtensions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Names in rules are looked up in the {@link HostNames} the parser is given, never behind its back. */
class HostNamesTest {

    /** This host's protocols, plus a service, a user, a group and a host this host does not have. */
    private static final HostNames NAMES = new HostNames() {
        private final HostNames system = NameDatabase.system();

        @Override
        public Optional<Integer> protocolNumber(String text) {
            return system.protocolNumber(text);
        }

        @Override
        public Optional<Integer> protocolNumberOfExactName(String name) {
            return system.protocolNumberOfExactName(name);
        }

        @Override
        public String protocolName(int number) {
            return system.protocolName(number);
        }

        @Override
        public Optional<Integer> systemProtocolNumber(String name) {
            return system.systemProtocolNumber(name);
        }

        @Override
        public Optional<String> systemProtocolName(int number) {
            return system.systemProtocolName(number);
        }

        @Override
        public Optional<Integer> servicePort(String name, String protocol) {
            return Optional.ofNullable(Map.of("rampart-test-svc/tcp", 4242).get(name + "/" + protocol));
        }

        @Override
        public Optional<Long> userId(String name) {
            return name.equals("rampart-test-user") ? Optional.of(4321L) : Optional.empty();
        }

        @Override
        public Optional<Long> groupId(String name) {
            return name.equals("rampart-test-group") ? Optional.of(8765L) : Optional.empty();
        }

        @Override
        public Optional<List<byte[]>> addresses(String host) {
            return host.equals("db.rampart-test.invalid") ? Optional.of(List.of(new byte[] {(byte) 192, 0, 2, 7}))
                    : Optional.empty();
        }

        @Override
        public List<Map.Entry<Long, String>> iproute2Names(String table) {
            return table.equals("group") ? List.of(Map.entry(7L, "rampart-dmz"), Map.entry(7L, "rampart-edge"))
                    : List.of(Map.entry(3L, "rampart-cosmos"));
        }

        @Override
        public Map<Integer, String> connectionLabels() {
            return Map.of(5, "rampart-seen");
        }
    };

    private final RuleParser given = new RuleParser(StandardExtensions.registry(), Family.IPV4, NAMES);
    private final RuleParser system = new RuleParser(StandardExtensions.registry(), Family.IPV4,
            NameDatabase.system());
    private final RulePrinter printer = new RulePrinter(StandardExtensions.registry(), Family.IPV4);

    private String canonical(String line) throws RuleSyntaxException {
        return printer.print(given.parseLine(line, Table.FILTER).get(0));
    }

    @Test
    void servicesUsersGroupsAndHostsComeFromTheNamesGiven() throws RuleSyntaxException {
        assertThat(canonical("-A INPUT -s db.rampart-test.invalid -p tcp --dport rampart-test-svc -j ACCEPT"))
                .isEqualTo("-A INPUT -s 192.0.2.7/32 -p tcp -m tcp --dport 4242 -j ACCEPT");
        assertThat(canonical("-A OUTPUT -m multiport -p tcp --dports rampart-test-svc,80 -j ACCEPT"))
                .isEqualTo("-A OUTPUT -p tcp -m multiport --dports 4242,80 -j ACCEPT");
        assertThat(canonical("-A OUTPUT -m owner --uid-owner rampart-test-user --gid-owner rampart-test-group"
                + " -j ACCEPT")).isEqualTo("-A OUTPUT -m owner --uid-owner 4321 --gid-owner 8765 -j ACCEPT");
    }

    @Test
    void deviceGroupsRealmsAndLabelsComeFromTheNamesGiven() throws RuleSyntaxException {
        assertThat(canonical("-A INPUT -m devgroup --src-group rampart-edge -j ACCEPT"))
                .as("the first name of a group is the one printed").isEqualTo(
                        "-A INPUT -m devgroup --src-group rampart-dmz -j ACCEPT");
        assertThat(canonical("-A INPUT -m realm --realm 3 -j ACCEPT"))
                .isEqualTo("-A INPUT -m realm --realm rampart-cosmos -j ACCEPT");
        assertThat(canonical("-A INPUT -m connlabel --label 5 -j ACCEPT"))
                .isEqualTo("-A INPUT -m connlabel --label \"rampart-seen\" -j ACCEPT");
        assertThatThrownBy(() -> system.parseLine("-A INPUT -m realm --realm rampart-cosmos -j ACCEPT",
                Table.FILTER)).isInstanceOf(RuleSyntaxException.class);
    }

    @Test
    void thisHostsNamesDoNotHaveThem() {
        assertThatThrownBy(() -> system.parseLine("-A INPUT -p tcp --dport rampart-test-svc -j ACCEPT", Table.FILTER))
                .isInstanceOf(RuleSyntaxException.class);
        assertThatThrownBy(() -> given.parseLine("-A INPUT -s other.rampart-test.invalid -j ACCEPT", Table.FILTER))
                .isInstanceOf(RuleSyntaxException.class).hasMessageContaining("not found");
    }
}
