package io.rampart.model.extensions;

/**
 * The number strtoul reads at the start of a text (base 0, after blanks and a {@code +}), and where
 * it stopped: xtables reads numbers this way when something may follow them.
 */
record StrtoulPrefix(long value, int end) {
    static StrtoulPrefix read(String text, int from) {
        int at = from;
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        if (at < text.length() && text.charAt(at) == '+') {
            at++;
        }
        int radix = 10;
        if (text.startsWith("0x", at) || text.startsWith("0X", at)) {
            if (at + 2 < text.length() && Character.digit(text.charAt(at + 2), 16) >= 0) {
                radix = 16;
                at += 2;
            }
        } else if (text.startsWith("0", at)) {
            radix = 8;
        }
        int start = at;
        long value = 0;
        while (at < text.length() && Character.digit(text.charAt(at), radix) >= 0 && value <= 0xffffffffL) {
            value = value * radix + Character.digit(text.charAt(at), radix);
            at++;
        }
        return at == start ? null : new StrtoulPrefix(value, at);
    }
}
