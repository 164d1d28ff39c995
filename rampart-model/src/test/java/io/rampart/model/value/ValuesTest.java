package io.rampart.model.value;

import static org.assertj.core.api.Assertions.assertThat;

import io.rampart.model.Option;
import io.rampart.model.extension.Addresses;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void rangesPrintOnePortWhenBothEndsAgreeAndHoldTheirEnds() {
        assertThat(Range.parse("22").text()).isEqualTo("22");
        assertThat(Range.parse("1024:65535")).isEqualTo(new Range(1024, 65535));
        assertThat(Range.parse("1024:65535").contains(1024)).isTrue();
        assertThat(Range.parse("1024:65535").contains(1023)).isFalse();
        assertThat(Range.parse("20:10").contains(15)).as("a reversed range holds nothing").isFalse();
        assertThat(Ranges.parse("22,80:81").contains(81)).isTrue();
        assertThat(Ranges.parse("22,80:81").text()).isEqualTo("22,80:81");
    }

    @Test
    void networksCompareByAddressAndMaskAndContainWhatTheMaskKeeps() {
        Network net = Addresses.network("10.1.0.0/16", true);
        assertThat(net.contains(new byte[] {10, 1, 2, 3})).isTrue();
        assertThat(net.contains(new byte[] {10, 2, 0, 0})).isFalse();
        assertThat(net).isEqualTo(new Network(new byte[] {10, 1, 0, 0}, new byte[] {-1, -1, 0, 0}, true));
        assertThat(Addresses.network("5.6.0.8/255.255.0.255", true).text()).isEqualTo("5.6.0.8/255.255.0.255");
        assertThat(Addresses.network("2001:db8::/32", true).text()).isEqualTo("2001:db8::/32");
        assertThat(Addresses.network("192.0.2.1", false).text()).as("a full mask the option does not print")
                .isEqualTo("192.0.2.1");
        assertThat(Addresses.network("192.0.2.1", true).text()).isEqualTo("192.0.2.1/32");
        assertThat(new AddressRange(new byte[] {10, 0, 0, 1}, new byte[] {10, 0, 0, 9}).contains(
                new byte[] {10, 0, 0, 5})).isTrue();
    }

    @Test
    void masksAndFlagsPrintAsIptablesSaveDoes() {
        assertThat(ValueMask.mark(5, 0xffffffffL).text()).isEqualTo("0x5");
        assertThat(ValueMask.mark(0x10, 0xf0).text()).isEqualTo("0x10/0xf0");
        assertThat(ValueMask.mark(0x10, 0xf0).matches(0x1f)).isTrue();
        assertThat(ValueMask.tos(0x10, 0xff).text()).isEqualTo("0x10/0xff");
        List<String> tcp = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG");
        assertThat(FlagSet.parse("SYN,ACK", tcp, "NONE").bits()).isEqualTo(0x12);
        assertThat(new FlagSet(0, tcp, "NONE").text()).isEqualTo("NONE");
        assertThat(NumberValue.parse("0x2e")).isEqualTo(new NumberValue(0x2e, true, 2));
        assertThat(NumberValue.parse("0x05").text()).isEqualTo("0x05");
        assertThat(IcmpType.parse("3/4")).isEqualTo(new IcmpType(3, 4));
        assertThat(IcmpType.parse("any").any()).isTrue();
    }

    @Test
    void interfaceNamesMatchExactlyOrByPrefix() {
        assertThat(new InterfaceName("eth+").matches("eth0")).isTrue();
        assertThat(new InterfaceName("eth+").matches(null)).isFalse();
        assertThat(new InterfaceName("eth0").matches("eth01")).isFalse();
    }

    @Test
    void anOptionOfValuesEqualsTheOptionOfTheirText() {
        Option typed = Option.typed("dport", true, List.of(new Range(1, 1023)));
        Option text = Option.negated("dport", true, "1:1023");
        assertThat(typed).isEqualTo(text).hasSameHashCodeAs(text);
        assertThat(typed.args()).containsExactly("1:1023");
        assertThat(typed.value()).isEqualTo(new Range(1, 1023));
        assertThat(text.value()).isEqualTo(new Text("1:1023"));
        assertThat(typed.typed()).isTrue();
        assertThat(text.typed()).isFalse();
    }
}
