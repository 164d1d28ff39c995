package io.rampart.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rampart.model.Family;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.1:80|10.0.0.1:80",
        "010.000.000.001:0080|10.0.0.1:80",
        "[2001:DB8:0::1]:443|[2001:db8::1]:443",
        "[::1]:53|[::1]:53",
        "[1:0:0:1:0:0:0:1]:1|[1:0:0:1::1]:1",
        "[1:0:1:0:1:0:1:0]:1|[1:0:1:0:1:0:1:0]:1",
        "[fe80:0:0:0:0:0:0:0]:65535|[fe80::]:65535",
        "[::102:304]:80|[::1.2.3.4]:80",
    })
    void printsAsIptablesSaveDoes(String written, String canonical) throws LbException {
        assertThat(Endpoint.parse(written, "-src-addr")).hasToString(canonical);
    }

    @Test
    void knowsItsFamilyAndHostMatch() throws LbException {
        Endpoint v6 = Endpoint.parse("[2001:db8::1]:80", "x");
        assertThat(v6.family()).isEqualTo(Family.IPV6);
        assertThat(v6.hostMatch()).isEqualTo("2001:db8::1/128");
        assertThat(Endpoint.parse("192.0.2.1:80", "x").hostMatch()).isEqualTo("192.0.2.1/32");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.1|expected IP:PORT",
        "10.0.0:80|`10.0.0' is not an IPv4 address (four numbers 0-255 with dots)",
        "example.com:80|`example.com' is not an IPv4 address (four numbers 0-255 with dots)",
        "0.0.0.0:80|0.0.0.0 is not a unicast address",
        "224.0.0.1:80|224.0.0.1 is not a unicast address",
        "10.0.0.1:-1|port `-1' is not a number 1-65535",
        "10.0.0.1:|port `' is not a number 1-65535",
        "[2001:db8::1]|write an IPv6 endpoint as [ADDRESS]:PORT",
        "[::]:80|:: is not a unicast address",
        "[ff02::1]:80|ff02::1 is not a unicast address",
        "[::ffff:10.0.0.1]:80|::ffff:10.0.0.1 is an IPv4 address in IPv6 form; write it as IPv4",
        "[2001:db8:::1]:80|`2001:db8:::1' is not an IPv6 address",
    })
    void refusesWhatIsNoEndpoint(String written, String why) {
        assertThatThrownBy(() -> Endpoint.parse(written, "-dest-addr")).isInstanceOf(LbException.class)
                .hasMessage("-dest-addr: bad address `" + written + "': " + why);
    }
}
