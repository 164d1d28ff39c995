package io.rampart.model.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({
            "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
            "0:0:0:0:0:0:0:1, ::1",
            "0:0:0:0:0:0:0:0, ::",
            "2001:db8:0:1:0:0:0:0, 2001:db8:0:1::",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "1:0:0:2:0:0:0:3, 1:0:0:2::3",
            "1:0:0:2:2:0:0:3, 1::2:2:0:0:3",
            "::ffff:1.2.3.4, ::ffff:1.2.3.4",
            "::1.2.3.4, ::1.2.3.4",
            "::0.0.0.2, ::2",
            "::ffff:0:1, ::ffff:0.0.0.1",
            "fe80::1:0:0:0, fe80::1:0:0:0"})
    void ipv6IsPrintedAsGlibcDoes(String input, String expected) {
        assertThat(Addresses.format(Addresses.parseLiteral(input, Family.IPV6))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "10.1.2.3/255.255.0.0, 10.1.0.0/16",
            "10.1.2.3, 10.1.2.3/32",
            "5.6.7.8/255.255.0.255, 5.6.0.8/255.255.0.255",
            "0/0, 0.0.0.0/0",
            "192.0.2.200/25, 192.0.2.128/25"})
    void ipv4NetworksAreNormalized(String input, String expected) throws InvalidValueException {
        assertThat(Addresses.parseNetworks(input, Family.IPV4, NameDatabase.system())).containsExactly(expected);
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.0/33", "300.1.1.1", "10.0.0.0/255.255.0.0.0", "1.2.3.4/abc"})
    void badIpv4IsRefused(String input) {
        assertThatThrownBy(() -> Addresses.parseNetworks(input, Family.IPV4, NameDatabase.system()))
                .isInstanceOf(InvalidValueException.class);
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.1", "2001:db8::1::2", "2001:db8::g"})
    void badIpv6IsRefused(String input) {
        assertThatThrownBy(() -> Addresses.parseNetworks(input, Family.IPV6, NameDatabase.system()))
                .isInstanceOf(InvalidValueException.class);
    }

    /** The forms getaddrinfo takes by inet_aton, as iptables' host options (TEE --gateway, CT) read them. */
    @ParameterizedTest
    @CsvSource({"0x7f000001, 127.0.0.1", "127.1, 127.0.0.1", "010.0.0.1, 8.0.0.1", "192.0.2, 192.0.0.2",
            "10.0x10.0377.1, 10.16.255.1", "4294967295, 255.255.255.255"})
    void ipv4HostsAreReadAsInetAtonReadsThem(String input, String expected) throws InvalidValueException {
        assertThat(Addresses.format(Addresses.resolve(input, Family.IPV4, NameDatabase.system()).get(0)))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"1.2.3.4.5", "256.1.1.1", "1.2.65536", "08.1.1.1", "4294967296"})
    void whatInetAtonRefusesIsNoLiteral(String input) {
        assertThat(Addresses.parseInetAton(input)).isNull();
    }
}
