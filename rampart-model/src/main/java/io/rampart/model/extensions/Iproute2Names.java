package io.rampart.model.extensions;

import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Values named by an iproute2 table (realms, device groups), whose names the rule's {@code HostNames} give. */
final class Iproute2Names {

    private static final long U32_MAX = 0xffffffffL;

    private Iproute2Names() {
    }

    /**
     * {@code value[/mask]} or a name from the table (xtables_parse_val_mask), printed as the name
     * when the mask is full and the value has one, else in hex.
     */
    static ValueType valueMask(String table) {
        return Values.of("value-mask", "value[/mask]|name", (raw, ctx) -> {
            List<Map.Entry<Long, String>> names = ctx.names().iproute2Names(table);
            int slash = raw.indexOf('/');
            OptionalLong value = CNumbers.xtablesWhole(slash < 0 ? raw : raw.substring(0, slash), 0, U32_MAX);
            if (value.isEmpty()) {
                Long named = idOf(names, raw);
                if (named == null) {
                    throw new InvalidValueException("`" + raw + "' is neither a number nor a name in /etc/iproute2/"
                            + table, Suggestions.hint(raw, names.stream().map(Map.Entry::getValue).toList()));
                }
                return format(names, named);
            }
            long mask = slash < 0 ? U32_MAX : CNumbers.xtables(raw.substring(slash + 1), 0, U32_MAX);
            return mask == U32_MAX ? format(names, value.getAsLong())
                    : Marks.hex(value.getAsLong()) + "/" + Marks.hex(mask);
        });
    }

    /** The first id the table gives this name. */
    private static Long idOf(List<Map.Entry<Long, String>> names, String name) {
        return names.stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /** The first name the table gives this id, else the id in hex. */
    private static String format(List<Map.Entry<Long, String>> names, long id) {
        return names.stream().filter(e -> e.getKey() == id).map(Map.Entry::getValue).findFirst()
                .orElse(Marks.hex(id));
    }
}
