package io.rampart.model.extensions;

import io.rampart.model.Hook;
import io.rampart.model.Table;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.List;

/** Targets that change packet metadata: traffic control class and checksum. */
final class PacketTargets {

    private PacketTargets() {
    }

    /**
     * {@code MAJOR:MINOR} in hex, read like sscanf's {@code %x:%x} (each wraps to 32 bits, then to
     * 16 in the class) and printed as four hex digits each.
     */
    static final ValueType CLASS = Values.of("tc-class", "major:minor (hex)", (raw, ctx) -> {
        HexScan major = HexScan.read(raw, 0);
        if (major == null || major.end() >= raw.length() || raw.charAt(major.end()) != ':') {
            throw new InvalidValueException("bad class `" + raw + "': write MAJOR:MINOR in hex, e.g. 1:10");
        }
        HexScan minor = HexScan.read(raw, major.end() + 1);
        if (minor == null) {
            throw new InvalidValueException("bad class `" + raw + "': write MAJOR:MINOR in hex, e.g. 1:10");
        }
        return String.format("%04x:%04x", major.value() & 0xffff, minor.value() & 0xffff);
    });

    /** One sscanf {@code %x}: blanks, a sign, an optional 0x, hex digits. */
    private record HexScan(long value, int end) {
        static HexScan read(String text, int start) {
            int i = start;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            boolean negative = false;
            if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                negative = text.charAt(i) == '-';
                i++;
            }
            boolean hexPrefix = text.startsWith("0x", i) || text.startsWith("0X", i);
            if (hexPrefix && i + 2 < text.length() && Character.digit(text.charAt(i + 2), 16) >= 0) {
                i += 2;
            }
            int digits = i;
            long value = 0;
            boolean overflow = false;
            while (i < text.length() && text.charAt(i) < 128 && Character.digit(text.charAt(i), 16) >= 0) {
                overflow |= (value >>> 60) != 0;
                value = value * 16 + Character.digit(text.charAt(i), 16);
                i++;
            }
            if (i == digits) {
                return null;
            }
            if (overflow) {
                value = -1;
            } else if (negative) {
                value = -value;
            }
            return new HexScan(value & 0xffffffffL, i);
        }
    }

    static List<ExtensionSpec> specs() {
        return List.of(
                ExtensionSpec.target("CLASSIFY", "put the packet in a traffic control class",
                                OptionSpec.of("set-class", "class as MAJOR:MINOR in hex", CLASS).required())
                        .atHooks(Hook.FORWARD, Hook.OUTPUT, Hook.POSTROUTING),
                ExtensionSpec.target("CHECKSUM", "compute a missing checksum in the packet (for virtual machines)",
                                OptionSpec.flag("checksum-fill", "fill in the checksum now").required())
                        .inTables(Table.MANGLE));
    }
}
