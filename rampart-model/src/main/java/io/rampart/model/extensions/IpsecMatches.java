package io.rampart.model.extensions;

import io.rampart.model.Family;
import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.Canonicalizer;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.MatchSemantics;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.PacketField;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.ArrayList;
import java.util.List;

/** The IPsec header matches: ah (IPv4 and IPv6, with different options), esp and ipcomp. */
final class IpsecMatches {

    private IpsecMatches() {
    }

    private static final ValueType SPI_RANGE = Values.numberRange(CNumbers.UINT32_MAX, true);

    static List<ExtensionSpec> specs() {
        return List.of(ahV4(), ahV6(), esp(), ipcomp());
    }

    private static OptionSpec spi(String name, String header) {
        return OptionSpec.of(name, "security parameter index of the " + header + " header, or range min:max",
                SPI_RANGE).invertible().tests(PacketField.SPI);
    }

    /** IPv4's ah is tied to -p ah by the kernel; IPv6's finds the header among the extension headers. */
    private static ExtensionSpec ahV4() {
        return ExtensionSpec.match("ah", "SPI of the IPsec authentication header", spi("ahspi", "AH"))
                .onlyFor(Family.IPV4)
                .canonicalizedBy(tiedToProtocol("ah", "ahspi"))
                .means(MatchSemantics.testsHeader(51, MatchSemantics.HEADER_FIELD_NOT_READ));
    }

    private static ExtensionSpec ahV6() {
        return ExtensionSpec.match("ah", "SPI, length and reserved field of the IPsec authentication header",
                        spi("ahspi", "AH"),
                        OptionSpec.of("ahlen", "length of the header", Values.decimal(0, CNumbers.UINT32_MAX))
                                .invertible(),
                        OptionSpec.flag("ahres", "the reserved field must be zero"))
                .onlyFor(Family.IPV6)
                .canonicalizedBy((options, context) -> {
                    List<Option> out = Checks.withoutFullRange(options, "ahspi");
                    out.removeIf(o -> o.name().equals("ahlen") && !o.negated() && o.arg().equals("0"));
                    return out;
                })
                .means(MatchSemantics.testsHeader(51, MatchSemantics.HEADER_FIELD_NOT_READ));
    }

    private static ExtensionSpec esp() {
        return ExtensionSpec.match("esp", "SPI of the IPsec encapsulating security payload", spi("espspi", "ESP"))
                .canonicalizedBy(tiedToProtocol("esp", "espspi"))
                .means(MatchSemantics.testsHeader(50, MatchSemantics.HEADER_FIELD_NOT_READ));
    }

    /** Without --ipcompspi the kernel keeps the range 0:0 (the CPI 0), and saves it. */
    private static ExtensionSpec ipcomp() {
        return ExtensionSpec.match("ipcomp", "CPI of the IP payload compression header",
                        spi("ipcompspi", "IPComp"),
                        OptionSpec.flag("compres", "check the reserved field too"))
                .canonicalizedBy((options, context) -> {
                    List<Option> out = new ArrayList<>(options);
                    if (!Checks.has(options, "ipcompspi")) {
                        out.add(0, Option.of("ipcompspi", "0"));
                    }
                    return tiedToProtocol("ipcomp", "ipcompspi").apply(out, context);
                })
                .means(MatchSemantics.testsHeader(108, MatchSemantics.HEADER_FIELD_NOT_READ));
    }

    /** A match the kernel ties to the protocol of its name, whose SPI range over every SPI is not kept. */
    private static Canonicalizer tiedToProtocol(String protocol, String spiOption) {
        return (options, context) -> {
            Checks.requireProtocol(context, "match " + protocol, protocol);
            return Checks.withoutFullRange(options, spiOption);
        };
    }
}
