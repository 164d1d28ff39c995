package io.rampart.model.extensions;

import io.rampart.model.Option;
import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Quoting;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.extension.Values;
import io.rampart.model.extension.Words;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Matches on packet content: string search, u32 tests and classic BPF programs. */
final class ContentMatches {

    /** The kernel's pattern buffer. */
    private static final int MAX_PATTERN = 128;
    private static final int NO_END_OFFSET = 65535;

    private ContentMatches() {
    }

    static List<ExtensionSpec> specs() {
        return List.of(string(), u32(), bpf());
    }

    // ---- string ----

    /**
     * Both pattern options canonicalize to the bytes as {@code |hex|}; the canonicalizer then picks
     * the spelling iptables-save uses for those bytes.
     */
    private static final ValueType TEXT_PATTERN = Values.quoted("pattern", "text", Quoting.ALWAYS, (raw, ctx) -> {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PATTERN) {
            throw new InvalidValueException("the pattern is longer than " + MAX_PATTERN + " bytes");
        }
        return hexBlock(bytes);
    });

    private static final ValueType HEX_PATTERN = Values.quoted("hex-pattern", "text|hex bytes|text",
            Quoting.ALWAYS, (raw, ctx) -> hexBlock(HexPattern.parse(raw.getBytes(StandardCharsets.UTF_8))));

    private static ExtensionSpec string() {
        return ExtensionSpec.match("string", "search the packet for a byte pattern",
                        OptionSpec.of("string", "text to search for", TEXT_PATTERN).invertible(),
                        OptionSpec.of("hex-string", "pattern with bytes in hex between bars, e.g. abc|0d0a|",
                                HEX_PATTERN).invertible(),
                        OptionSpec.of("algo", "search algorithm: Boyer-Moore (bm) or Knuth-Pratt-Morris (kmp)",
                                Words.choice("algorithm", "bm", "kmp")).required(),
                        OptionSpec.of("from", "first offset searched (default 0)", Values.decimal(0, 65535)),
                        OptionSpec.of("to", "last offset searched (default 65535)", Values.decimal(0, 65535)),
                        OptionSpec.flag("icase", "ignore upper/lower case"))
                .canonicalizedBy(ContentMatches::stringCanonical);
    }

    private static List<Option> stringCanonical(List<Option> options, ValueContext context)
            throws InvalidValueException {
        List<Option> out = new ArrayList<>();
        boolean pattern = false;
        long from = 0;
        long to = NO_END_OFFSET;
        for (Option option : options) {
            switch (option.name()) {
                case "string", "hex-string" -> {
                    if (pattern) {
                        throw new InvalidValueException("--string and --hex-string cannot be combined");
                    }
                    pattern = true;
                    out.add(savedPattern(option));
                }
                case "from" -> {
                    from = Long.parseLong(option.arg());
                    if (from != 0) {
                        out.add(option);
                    }
                }
                case "to" -> {
                    to = Long.parseLong(option.arg());
                    if (to != NO_END_OFFSET) {
                        out.add(option);
                    }
                }
                default -> out.add(option);
            }
        }
        if (!pattern) {
            throw new InvalidValueException("match string needs --string or --hex-string");
        }
        if (from > to) {
            throw new InvalidValueException("--from " + from + " is beyond --to " + to);
        }
        return out;
    }

    /** iptables-save prints readable text as --string, anything else as --hex-string. */
    private static Option savedPattern(Option option) throws InvalidValueException {
        String block = option.arg();
        byte[] bytes = HexFormat.of().parseHex(block, 1, block.length() - 1);
        if (bytes.length == 0) {
            throw new InvalidValueException("the kernel refuses an empty pattern");
        }
        boolean printable = bytes[bytes.length - 1] != '\\';
        for (byte b : bytes) {
            printable &= b >= 0x20 && b < 0x7f;
        }
        if (!printable) {
            return Option.negated("hex-string", option.negated(), block);
        }
        StringBuilder escaped = new StringBuilder();
        for (byte b : bytes) {
            if (b == '"' || b == '\\') {
                escaped.append('\\');
            }
            escaped.append((char) b);
        }
        return Option.negated("string", option.negated(), escaped.toString());
    }

    private static String hexBlock(byte[] bytes) {
        return "|" + HexFormat.of().formatHex(bytes) + "|";
    }

    /** The --hex-string notation: text, {@code \}-escaped characters and {@code |hex hex|} blocks. */
    private static final class HexPattern {

        private HexPattern() {
        }

        static byte[] parse(byte[] s) throws InvalidValueException {
            if (s.length == 0) {
                throw new InvalidValueException("the pattern is empty");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean inHex = false;
            int i = 0;
            while (i < s.length) {
                if (out.size() >= MAX_PATTERN) {
                    throw new InvalidValueException("the pattern is longer than " + MAX_PATTERN + " bytes");
                }
                boolean literal = false;
                if (s[i] == '\\') {
                    if (inHex) {
                        throw new InvalidValueException("a `\\' escape cannot stand between |...|");
                    }
                    literal = true;
                } else if (s[i] == '|') {
                    inHex = !inHex;
                    // iptables skips blanks right after an opening bar
                    while (inHex && i + 1 < s.length && s[i + 1] == ' ') {
                        i++;
                    }
                    if (i + 1 >= s.length) {
                        break;
                    }
                    i++;
                }
                if (literal) {
                    if (i + 1 >= s.length) {
                        throw new InvalidValueException("a `\\' at the end escapes nothing");
                    }
                    out.write(s[i + 1]);
                    i += 2;
                } else if (inHex) {
                    if (i + 1 >= s.length) {
                        throw new InvalidValueException("odd number of hex digits");
                    }
                    if (i + 2 >= s.length) {
                        throw new InvalidValueException("hex block not closed with `|'");
                    }
                    out.write(hexDigit(s[i]) * 16 + hexDigit(s[i + 1]));
                    i += s[i + 2] == ' ' ? 3 : 2;
                } else {
                    out.write(s[i]);
                    i++;
                }
            }
            return out.toByteArray();
        }

        private static int hexDigit(byte b) throws InvalidValueException {
            int digit = Character.digit((char) (b & 0xff), 16);
            if (digit < 0 || b < 0) {
                throw new InvalidValueException("invalid hex digit `" + (char) (b & 0xff) + "' (write bytes as"
                        + " pairs of 0-9a-f between bars)");
            }
            return digit;
        }
    }

    // ---- u32 ----

    private static final ValueType U32_TESTS = Values.quoted("u32-tests", "location=value[:value][,...][&&...]",
            Quoting.ALWAYS, (raw, ctx) -> new U32Parser(raw).parse());

    private static ExtensionSpec u32() {
        return ExtensionSpec.match("u32", "tests on 32-bit words read at computed packet offsets",
                OptionSpec.of("u32", "tests joined by &&: location (number with & << >> @) = values or ranges",
                        U32_TESTS).invertible().required());
    }

    /** Reads u32 tests and writes them back as the kernel keeps them: every number in hex. */
    private static final class U32Parser {
        private static final int MAX_PARTS = 10;
        private final String text;
        private final StringBuilder out = new StringBuilder();
        private int at;

        U32Parser(String text) {
            this.text = text;
        }

        String parse() throws InvalidValueException {
            int tests = 0;
            while (true) {
                tests++;
                if (tests > MAX_PARTS) {
                    throw error("more than " + MAX_PARTS + " tests joined by &&");
                }
                if (tests > 1) {
                    out.append("&&");
                }
                location();
                values();
                if (peek() == 0) {
                    return out.toString();
                }
            }
        }

        private void location() throws InvalidValueException {
            int numbers = 0;
            while (true) {
                char c = peek();
                if (c == 0) {
                    throw error("the test ends before `=' and its value");
                }
                if (c == '=') {
                    if (numbers == 0) {
                        throw error("a location is needed before `='");
                    }
                    at++;
                    out.append('=');
                    return;
                }
                String operator = numbers > 0 ? operator() : "";
                long number = number();
                if (operator.length() == 2 && number > 31) {
                    throw error("the kernel refuses a shift by " + number + " (at most 31)");
                }
                out.append(operator).append(hex(number));
                if (++numbers > MAX_PARTS) {
                    throw error("more than " + MAX_PARTS + " numbers in a location");
                }
            }
        }

        private String operator() throws InvalidValueException {
            char c = text.charAt(at++);
            return switch (c) {
                case '&' -> "&";
                case '@' -> "@";
                case '<', '>' -> {
                    if (at >= text.length() || text.charAt(at) != c) {
                        throw error("a second `" + c + "' was expected");
                    }
                    at++;
                    yield c == '<' ? "<<" : ">>";
                }
                default -> throw error("an operator (& << >> @) or `=' was expected, found `" + c + "'");
            };
        }

        private void values() throws InvalidValueException {
            int ranges = 0;
            while (true) {
                char c = peek();
                if (c == 0) {
                    if (ranges == 0) {
                        throw error("the test has no value after `='");
                    }
                    return;
                }
                if (c == '&') {
                    at++;
                    if (at >= text.length() || text.charAt(at) != '&') {
                        throw error("a second `&' was expected");
                    }
                    if (ranges == 0) {
                        throw error("the test has no value after `='");
                    }
                    at++;
                    return;
                }
                if (ranges > 0) {
                    if (c != ',') {
                        throw error("`,' or `&&' was expected, found `" + c + "'");
                    }
                    at++;
                    out.append(',');
                }
                long min = number();
                out.append(hex(min));
                if (peek() == ':') {
                    at++;
                    long max = number();
                    if (max != min) {
                        out.append(':').append(hex(max));
                    }
                }
                if (++ranges > MAX_PARTS) {
                    throw error("more than " + MAX_PARTS + " values in a test");
                }
            }
        }

        /** The next character after blanks, or 0 at the end. */
        private char peek() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
            return at < text.length() ? text.charAt(at) : 0;
        }

        /** A number as xtables_strtoui reads it with an end pointer: blanks, an optional +, any base. */
        private long number() throws InvalidValueException {
            CNumbers.Read number = CNumbers.xtablesPrefix(text, at, 0, CNumbers.UINT32_MAX);
            if (number == null) {
                throw error("a number from 0 to 0xffffffff was expected");
            }
            at = number.end();
            return number.value();
        }

        private static String hex(long value) {
            return "0x" + Long.toHexString(value);
        }

        private InvalidValueException error(String message) {
            return new InvalidValueException("at char " + at + ": " + message);
        }
    }

    // ---- bpf ----

    private static final ValueType BYTECODE = Values.quoted("bpf-program", "count,code jt jf k,...",
            Quoting.ALWAYS, (raw, ctx) -> ClassicBpf.canonical(raw));

    private static ExtensionSpec bpf() {
        return ExtensionSpec.match("bpf", "run a classic BPF program on the packet",
                        OptionSpec.of("bytecode", "program as `count,code jt jf k,...' (nfbpf_compile output)",
                                BYTECODE),
                        OptionSpec.of("object-pinned", "path of an eBPF program pinned in the bpf file system",
                                Values.of("path", "path", (raw, ctx) -> {
                                    if (raw.isEmpty()) {
                                        throw new InvalidValueException("an empty path");
                                    }
                                    return raw;
                                })))
                .canonicalizedBy((options, context) -> {
                    if (options.size() != 1) {
                        throw new InvalidValueException("match bpf needs exactly one of --bytecode or"
                                + " --object-pinned");
                    }
                    return options;
                });
    }
}
