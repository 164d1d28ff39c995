package io.rampart.model.extensions;

import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** An iproute2 table of {@code id name} lines (realms, device groups), read like xtables_lmap_init. */
final class Iproute2Names {

    private static final long U32_MAX = 0xffffffffL;

    private final Map<String, Long> byName = new LinkedHashMap<>();
    private final Map<Long, String> byId = new HashMap<>();

    private Iproute2Names(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            // Without the file only numbers are understood, as with iptables.
            lines = List.of();
        }
        for (String line : lines) {
            String[] fields = line.replaceFirst("#.*", "").trim().split("\\s+");
            OptionalLong id = fields.length < 2 ? OptionalLong.empty() : CNumbers.xtablesWhole(fields[0], 0, U32_MAX);
            // iptables skips lines that do not start with a number too.
            if (id.isPresent()) {
                byName.putIfAbsent(fields[1], id.getAsLong());
                byId.putIfAbsent(id.getAsLong(), fields[1]);
            }
        }
    }

    /**
     * {@code value[/mask]} or a name from the table (xtables_parse_val_mask), printed as the name
     * when the mask is full and the value has one, else in hex.
     */
    static ValueType valueMask(String tableFile) {
        Iproute2Names names = new Iproute2Names(Path.of(tableFile));
        return Values.of("value-mask", "value[/mask]|name", (raw, ctx) -> {
            int slash = raw.indexOf('/');
            OptionalLong value = CNumbers.xtablesWhole(slash < 0 ? raw : raw.substring(0, slash), 0, U32_MAX);
            if (value.isEmpty()) {
                Long named = names.byName.get(raw);
                if (named == null) {
                    throw new InvalidValueException("`" + raw + "' is neither a number nor a name in " + tableFile
                            , Suggestions.hint(raw, names.byName.keySet()));
                }
                return names.format(named);
            }
            long mask = slash < 0 ? U32_MAX : CNumbers.xtables(raw.substring(slash + 1), 0, U32_MAX);
            return mask == U32_MAX ? names.format(value.getAsLong())
                    : Marks.hex(value.getAsLong()) + "/" + Marks.hex(mask);
        });
    }

    private String format(long id) {
        return byId.getOrDefault(id, Marks.hex(id));
    }
}
