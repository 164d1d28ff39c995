package io.rampart.model.extensions;

import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.value.NumberValue;
import io.rampart.model.value.ValueMask;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The TOS byte and its DiffServ code point, as the tos and dscp matches and targets read them. */
final class DiffServ {

    private DiffServ() {
    }

    /** The TOS names iptables knows (tos_values.c); a name stands for its value under mask 0x3f. */
    private static final Map<String, Integer> TOS_NAMES = Map.of(
            "minimize-delay", 0x10, "maximize-throughput", 0x08, "maximize-reliability", 0x04,
            "minimize-cost", 0x02, "normal-service", 0x00);
    private static final List<String> TOS_SPELLINGS = List.of("Minimize-Delay", "Maximize-Throughput",
            "Maximize-Reliability", "Minimize-Cost", "Normal-Service");

    /** DiffServ class names and their code points, in the order iptables tries them (dscp_helper.c). */
    private static final Map<String, Integer> DSCP_CLASSES = dscpClasses();

    private static Map<String, Integer> dscpClasses() {
        Map<String, Integer> classes = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
            classes.put("CS" + i, i << 3);
        }
        classes.put("BE", 0);
        for (int af = 1; af <= 4; af++) {
            for (int drop = 1; drop <= 3; drop++) {
                classes.put("AF" + af + drop, (af << 3) | (drop << 1));
            }
        }
        classes.put("EF", 0x2e);
        return classes;
    }

    /**
     * {@code value[/mask]} of numbers up to 255 (mask 0xff when left out) or a TOS name (mask
     * 0x3f), as tos_parse_symbolic reads it; printed {@code 0xVV/0xMM}.
     */
    static final ValueType TOS_VALUE_MASK = Values.typed("tos", "value[/mask]|name", (raw, ctx) -> {
        CNumbers.Read number = CNumbers.xtablesPrefix(raw, 0, 0, 0xff);
        if (number == null) {
            Integer named = TOS_NAMES.get(raw.toLowerCase(Locale.ROOT));
            if (named == null) {
                throw new InvalidValueException("`" + raw + "' is neither a number 0-255 nor a TOS name ("
                        + String.join(", ", TOS_SPELLINGS) + ")" , Suggestions.hint(raw, TOS_SPELLINGS));
            }
            return tos(named, 0x3f);
        }
        long mask = 0xff;
        int end = number.end();
        if (end < raw.length() && raw.charAt(end) == '/') {
            CNumbers.Read maskNumber = CNumbers.xtablesPrefix(raw, end + 1, 0, 0xff);
            if (maskNumber == null) {
                throw new InvalidValueException("illegal TOS mask in `" + raw + "': use a number 0-255");
            }
            mask = maskNumber.value();
            end = maskNumber.end();
        }
        if (end != raw.length()) {
            throw new InvalidValueException("illegal TOS value `" + raw + "': write VALUE or VALUE/MASK");
        }
        return tos(number.value(), mask);
    }, canonical -> {
        int slash = canonical.indexOf('/');
        return ValueMask.tos(Long.decode(canonical.substring(0, slash)), Long.decode(canonical.substring(slash + 1)));
    });

    static String tos(long value, long mask) {
        return String.format("0x%02x/0x%02x", value, mask);
    }

    /** A code point, 0-63, printed as two hex digits. */
    static final ValueType DSCP = Values.typed("dscp", "0..63",
            (raw, ctx) -> String.format("0x%02x", CNumbers.xtables(raw, 0, 63)), NumberValue::parse);

    /** A DiffServ class name; like iptables, any word that starts with a class name is that class. */
    static final ValueType DSCP_CLASS = Values.typed("dscp-class", "CS0-7|BE|AF11-43|EF", (raw, ctx) -> {
        for (Map.Entry<String, Integer> entry : DSCP_CLASSES.entrySet()) {
            if (raw.regionMatches(true, 0, entry.getKey(), 0, entry.getKey().length())) {
                return String.format("0x%02x", entry.getValue());
            }
        }
        throw new InvalidValueException("`" + raw + "' is not a DiffServ class (CS0-CS7, BE, AF11-AF43, EF)"
                , Suggestions.hint(raw, DSCP_CLASSES.keySet()));
    }, NumberValue::parse);
}
