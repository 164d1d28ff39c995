package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import java.util.ArrayList;
import java.util.List;

/** Matches on what a connection or a named counter has counted: connbytes and nfacct. */
final class AccountingMatches {

    private AccountingMatches() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(connbytes(), nfacct());
    }

    private static final long UINT64_MAX = -1L;

    /**
     * {@code from[:to]} over unsigned 64-bit counts, as xtables reads ranges (an empty end is 0
     * or the maximum); held as {@code from:to} for the canonicalizer, which knows the negation.
     */
    private static final ValueType COUNT_RANGE = Values.of("count-range", "from[:to]", (raw, ctx) -> {
        int colon = raw.indexOf(':');
        long from = count(colon < 0 ? raw : raw.substring(0, colon), 0, raw);
        long to = colon < 0 ? UINT64_MAX : count(raw.substring(colon + 1), UINT64_MAX, raw);
        if (Long.compareUnsigned(from, to) > 0) {
            throw new InvalidValueException(Long.toUnsignedString(from) + " should be less than "
                    + Long.toUnsignedString(to));
        }
        return Long.toUnsignedString(from) + ":" + Long.toUnsignedString(to);
    });

    private static long count(String text, long ifEmpty, String whole) throws InvalidValueException {
        if (text.isEmpty()) {
            return ifEmpty;
        }
        return CNumbers.xtablesWhole(text, 0, UINT64_MAX).orElseThrow(() -> new InvalidValueException("`" + whole
                + "' is not a count or range of counts from 0 to " + Long.toUnsignedString(UINT64_MAX)));
    }

    private static ExtensionSpec connbytes() {
        return ExtensionSpec.match("connbytes", "how many packets or bytes the connection has seen, or their average"
                                + " size",
                        OptionSpec.of("connbytes", "count or range from:to", COUNT_RANGE).invertible().required(),
                        OptionSpec.of("connbytes-mode", "what to count",
                                Words.choice("mode", "packets", "bytes", "avgpkt")).required(),
                        OptionSpec.of("connbytes-dir", "which direction's counters",
                                Words.choice("direction", "original", "reply", "both")).required())
                .canonicalizedBy((options, context) -> {
                    List<Option> out = new ArrayList<>();
                    for (Option option : options) {
                        out.add(option.name().equals("connbytes") ? savedCount(option) : option);
                    }
                    return out;
                });
    }

    /**
     * The kernel keeps a negated range with its ends swapped, and iptables-save calls a range
     * negated exactly when its ends are out of order: a negated single count ({@code ! 5:5}) loses
     * its {@code !}. The upper end is printed unless it is 0 or the maximum.
     */
    private static Option savedCount(Option option) {
        String[] ends = option.arg().split(":");
        long from = Long.parseUnsignedLong(ends[0]);
        long to = Long.parseUnsignedLong(ends[1]);
        String text = ends[0] + (to != 0 && to != UINT64_MAX ? ":" + ends[1] : "");
        return Option.negated("connbytes", option.negated() && from != to, text);
    }

    /** An nfacct object's name: the kernel keeps 31 bytes; saved after two blanks, quoted when needed. */
    private static final ValueType ACCOUNTING_OBJECT = Values.quoted("name", "name", Quoting.WHEN_NEEDED_AFTER_BLANK,
            (raw, ctx) -> {
                if (raw.indexOf('\n') >= 0) {
                    throw new InvalidValueException("Newlines not allowed in --nfacct-name");
                }
                return Values.truncatedText(31).canonical(raw, ctx);
            });

    private static ExtensionSpec nfacct() {
        return ExtensionSpec.match("nfacct", "count the packet in a named nfacct object (it must exist); matches"
                        + " every packet",
                OptionSpec.of("nfacct-name", "the object's name", ACCOUNTING_OBJECT).required());
    }
}
