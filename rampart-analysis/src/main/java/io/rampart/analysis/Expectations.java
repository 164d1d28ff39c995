package io.rampart.analysis;

import io.rampart.model.Family;
import io.rampart.model.extension.Addresses;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.NameDatabase;
import io.rampart.trace.CtState;
import io.rampart.trace.Packet;
import io.rampart.trace.PacketSpec;
import io.rampart.trace.TraceInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An expectations file (docs/expectations.md): one assertion a line about a set of packets, e.g.
 * {@code expect tcp from 192.0.2.0/24 to 10.0.0.5 port 22 is accepted}, with {@code define}d
 * variables and {@code #} comments as in the ruleset language. Every mistake is collected with its
 * line and column; a file with mistakes has no expectations to prove.
 */
public final class Expectations {

    /** A mistake in the file: where (line and column from 1), what, and what would be right when known. */
    public record Problem(int line, int column, String message, String hint) {
    }

    /** How many packets of the set must get the verdict. */
    enum Quantifier { EVERY, NONE, SOME }

    /** The verdict asked for, as a word of the file. */
    enum Wanted {
        ACCEPTED, DROPPED, REJECTED, DENIED;

        boolean admits(String verdict) {
            return switch (this) {
                case ACCEPTED -> verdict.equals("ACCEPT");
                case DROPPED -> verdict.equals("DROP");
                case REJECTED -> verdict.startsWith("REJECT");
                case DENIED -> !verdict.equals("ACCEPT");
            };
        }
    }

    /**
     * Who must decide: a chain (and rule number), a built-in chain's policy, or the rule written at
     * {@code file:line}; null fields ask nothing.
     */
    record Decider(String chain, int rule, boolean policy, String location) {

        boolean admits(ChainSemantics.Decision d) {
            if (policy) {
                return d.isPolicy();
            }
            if (location != null) {
                return d.where().equals(location) || d.where().endsWith("/" + location);
            }
            return !d.isPolicy() && d.chain().equals(chain) && (rule == 0 || d.rule() == rule);
        }
    }

    /** A condition on packets, made into a set once the header space exists. */
    @FunctionalInterface
    interface Selector {
        int packets(HeaderSpace space);
    }

    /**
     * One assertion: its line and text, the packets (selectors, or one {@code packet}), the built-in
     * chain they meet, the verdict and decider asked for, and the interface names it spells.
     */
    record Expectation(int line, String text, Quantifier quantifier, String chain, List<Selector> selectors,
                       Packet packet, Wanted wanted, Decider by, Set<String> interfaces, int column, int byColumn) {
    }

    private static final Set<String> PORT_PROTOCOLS = Set.of("6", "17", "132", "33", "136");

    private final String file;
    private final List<Expectation> expectations = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, String> variables = new HashMap<>();
    private final Family family;

    private final HostNames names;

    private Expectations(String file, Family family, HostNames names) {
        this.file = file;
        this.family = family;
        this.names = names;
    }

    /** The names its protocols and services were read with, which name the protocols of its answers too. */
    HostNames names() {
        return names;
    }

    /** Reads the lines of {@code file} for rulesets of {@code family}; protocols and ports by number or iptables' names. */
    public static Expectations parse(String file, List<String> lines, Family family) {
        return parse(file, lines, family, NameDatabase.builtin());
    }

    /** Reads the lines of {@code file} for rulesets of {@code family}, protocols and services as {@code names} name them. */
    public static Expectations parse(String file, List<String> lines, Family family, HostNames names) {
        Expectations out = new Expectations(file, family, names);
        for (int i = 0; i < lines.size(); i++) {
            try {
                out.line(i + 1, lines.get(i));
            } catch (Mistake m) {
                out.problems.add(new Problem(i + 1, m.column, m.getMessage(), m.hint));
            }
        }
        return out;
    }

    public String file() {
        return file;
    }

    public Family family() {
        return family;
    }

    public List<Problem> problems() {
        return List.copyOf(problems);
    }

    public boolean hasErrors() {
        return !problems.isEmpty();
    }

    public int size() {
        return expectations.size();
    }

    List<Expectation> all() {
        return List.copyOf(expectations);
    }

    /** A word of a line at its column (from 1). */
    private record Word(String text, int column) {
    }

    /** A mistake at a column, with a hint or null. */
    private static final class Mistake extends Exception {
        private static final long serialVersionUID = 1L;
        final int column;
        final String hint;

        Mistake(int column, String message) {
            this(column, message, null);
        }

        Mistake(int column, String message, String hint) {
            super(message);
            this.column = column;
            this.hint = hint;
        }
    }

    private void line(int number, String line) throws Mistake {
        List<Word> words = words(line);
        if (words.isEmpty()) {
            return;
        }
        String first = words.get(0).text();
        if (first.equals("define")) {
            define(line, words);
        } else if (first.equals("expect")) {
            int end = words.get(words.size() - 1).column() + words.get(words.size() - 1).text().length() - 1;
            String text = line.substring(words.get(1 < words.size() ? 1 : 0).column() - 1, end);
            expectations.add(new Statement(expanded(words.subList(1, words.size())), number, text,
                    end + 1).parse());
        } else {
            throw new Mistake(words.get(0).column(), "a line is `expect ...' or `define NAME = VALUE', not `"
                    + first + "'", "e.g. expect tcp to port 22 is accepted");
        }
    }

    /** The line split into words; a list in braces is one word, a {@code #} starting a word ends the line. */
    private static List<Word> words(String line) throws Mistake {
        List<Word> out = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '#') {
                break;
            }
            int start = i;
            int depth = 0;
            while (i < line.length() && (depth > 0 || !Character.isWhitespace(line.charAt(i)))) {
                char d = line.charAt(i);
                depth += d == '{' ? 1 : d == '}' ? -1 : 0;
                i++;
            }
            if (depth > 0) {
                throw new Mistake(start + 1, "the list is not closed: `}' is missing");
            }
            out.add(new Word(line.substring(start, i), start + 1));
        }
        return out;
    }

    private void define(String line, List<Word> words) throws Mistake {
        if (words.size() < 4 || !words.get(2).text().equals("=")) {
            throw new Mistake(words.get(0).column(), "write `define NAME = VALUE' or `define NAME = { A, B }'");
        }
        Word name = words.get(1);
        if (!name.text().matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new Mistake(name.column(), "`" + name.text() + "' is no variable name (letters, digits, _)");
        }
        if (variables.containsKey(name.text())) {
            throw new Mistake(name.column(), "variable " + name.text() + " is defined already; a variable is"
                    + " defined once");
        }
        List<String> values = new ArrayList<>();
        for (Word w : expanded(words.subList(3, words.size()))) {
            values.add(w.text());
        }
        variables.put(name.text(), String.join(",", values));
    }

    /** The words with variables substituted and lists written as comma lists. */
    private List<Word> expanded(List<Word> words) throws Mistake {
        List<Word> out = new ArrayList<>();
        for (Word w : words) {
            StringBuilder b = new StringBuilder();
            String t = w.text();
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c != '$') {
                    b.append(c);
                    continue;
                }
                boolean braced = i + 1 < t.length() && t.charAt(i + 1) == '{';
                int start = braced ? i + 2 : i + 1;
                int end = start;
                while (end < t.length() && (Character.isLetterOrDigit(t.charAt(end)) || t.charAt(end) == '_')) {
                    end++;
                }
                String name = t.substring(start, end);
                String value = variables.get(name);
                if (value == null) {
                    throw new Mistake(w.column() + i, name.isEmpty() ? "`$' names no variable"
                            : "variable " + name + " is not defined", nearest(name));
                }
                b.append(value);
                i = braced ? end : end - 1;
            }
            String text = b.toString();
            if (text.startsWith("{") && text.endsWith("}")) {
                List<String> items = new ArrayList<>();
                for (String item : text.substring(1, text.length() - 1).split(",")) {
                    if (!item.isBlank()) {
                        items.add(item.strip());
                    }
                }
                text = String.join(",", items);
            }
            out.add(new Word(text, w.column()));
        }
        return out;
    }

    private String nearest(String name) {
        return variables.keySet().stream().filter(v -> v.equalsIgnoreCase(name)).findFirst()
                .map(v -> "did you mean $" + v + "?").orElse(null);
    }

    /** One {@code expect} statement being read, word by word. */
    private final class Statement {

        private final List<Word> words;
        private final int line;
        private final String text;
        private final int endColumn;
        private int next;
        private final List<Selector> selectors = new ArrayList<>();
        private final Set<String> interfaces = new TreeSet<>();
        private boolean stateGiven;
        private boolean flagsGiven;
        private List<String> protocols;
        private boolean protocolsNegated;

        Statement(List<Word> words, int line, String text, int endColumn) {
            this.words = words;
            this.line = line;
            this.text = text;
            this.endColumn = endColumn;
        }

        private Word peek() {
            return next < words.size() ? words.get(next) : null;
        }

        private Word take(String what) throws Mistake {
            Word w = peek();
            if (w == null) {
                throw new Mistake(endColumn, "missing " + what);
            }
            next++;
            return w;
        }

        private boolean takeIf(String... choices) {
            Word w = peek();
            if (w != null && List.of(choices).contains(w.text())) {
                next++;
                return true;
            }
            return false;
        }

        Expectation parse() throws Mistake {
            Quantifier quantifier = takeIf("nothing", "no") ? Quantifier.NONE : takeIf("some") ? Quantifier.SOME
                    : Quantifier.EVERY;
            takeIf("every", "all");
            String chain = takeIf("forwarded") ? "FORWARD" : takeIf("outgoing") ? "OUTPUT" : null;
            if (chain == null) {
                takeIf("incoming");
            }
            Packet packet = null;
            if (peek() != null && peek().text().equals("packet")) {
                Word at = take("packet");
                packet = packet(at);
                String of = packet.local() ? "OUTPUT" : packet.out() != null ? "FORWARD" : "INPUT";
                if (chain != null && !chain.equals(of)) {
                    throw new Mistake(at.column(), "this packet goes through " + of + ", not " + chain
                            + ": --local makes it outgoing, --out forwarded");
                }
                chain = of;
            } else {
                selectors();
                defaults();
            }
            Word verb = take("`is' and a verdict");
            Word verdict = take("a verdict: accepted, dropped, rejected or denied");
            Wanted wanted;
            try {
                wanted = Wanted.valueOf(verdict.text().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Mistake(verdict.column(), "unknown verdict `" + verdict.text() + "'",
                        "use accepted, dropped, rejected or denied");
            }
            int byColumn = peek() != null && peek().text().equals("by") && next + 1 < words.size()
                    ? words.get(next + 1).column() : 0;
            Decider by = takeIf("by") ? decider() : null;
            if (peek() != null) {
                throw new Mistake(peek().column(), "unexpected `" + peek().text() + "' after the verdict");
            }
            return new Expectation(line, text, quantifier, chain == null ? "INPUT" : chain, List.copyOf(selectors),
                    packet, wanted, by, Set.copyOf(interfaces), words.isEmpty() ? endColumn : words.get(0).column(),
                    byColumn);
        }

        private Decider decider() throws Mistake {
            Word who = take("who decides: a chain, `CHAIN rule N', `policy' or FILE:LINE");
            if (who.text().equals("policy")) {
                return new Decider(null, 0, true, null);
            }
            if (who.text().matches(".+:\\d+")) {
                return new Decider(null, 0, false, who.text());
            }
            int rule = 0;
            if (takeIf("rule")) {
                Word n = take("a rule number");
                rule = number(n, 1, Integer.MAX_VALUE);
            }
            return new Decider(who.text(), rule, false, null);
        }

        private void selectors() throws Mistake {
            boolean source = false;
            while (peek() != null && !peek().text().equals("is") && !peek().text().equals("are")) {
                Word w = take("a word");
                switch (w.text()) {
                    case "from", "to" -> {
                        // "to port 22": a direction for the port, no address.
                        source = w.text().equals("from");
                        boolean src = source;
                        if (peek() == null || !peek().text().equals("port")) {
                            selectors.add(negatable(w, v -> network(v, src)));
                        }
                    }
                    case "port" -> {
                        boolean src = source;
                        selectors.add(negatable(w, v -> ports(v, src)));
                        selectors.add(space -> protocolsOf(space, PORT_PROTOCOLS));
                    }
                    case "in", "out" -> {
                        boolean input = w.text().equals("in");
                        selectors.add(negatable(w, v -> iface(v, input)));
                    }
                    case "proto" -> {
                        boolean negated = takeIf("not");
                        protocol(take("a protocol"), negated);
                    }
                    case "state" -> {
                        stateGiven = true;
                        selectors.add(negatable(w, this::states));
                    }
                    case "flags" -> {
                        flagsGiven = true;
                        selectors.add(negatable(w, this::flags));
                        selectors.add(space -> space.equal(space.proto, Packet.TCP));
                    }
                    case "icmp-type" -> {
                        selectors.add(negatable(w, this::icmp));
                        selectors.add(space -> space.equal(space.proto, family == Family.IPV4 ? Packet.ICMP
                                : Packet.ICMPV6));
                    }
                    case "mark" -> selectors.add(negatable(w, this::mark));
                    default -> protocol(w, false);
                }
            }
        }

        /** State NEW unless a state is named, and a TCP packet then has SYN alone unless flags are named. */
        private void defaults() {
            if (!stateGiven) {
                selectors.add(space -> space.equal(space.ctState, CtState.NEW.ordinal()));
                if (!flagsGiven && protocols != null && !protocolsNegated && protocols.equals(List.of("6"))) {
                    selectors.add(space -> space.equal(space.tcpFlags, Packet.SYN));
                }
            }
        }

        private void protocol(Word w, boolean negated) throws Mistake {
            List<String> numbers = new ArrayList<>();
            for (String name : w.text().split(",")) {
                String spelled = name.equals("icmpv6") ? "ipv6-icmp" : name;
                numbers.add(String.valueOf(names.protocolNumber(spelled).orElseThrow(() ->
                        new Mistake(w.column(), "unknown word or protocol `" + name + "'", "the packets are"
                                + " described by from, to, port, in, out, proto, state, flags, icmp-type, mark or"
                                + " a protocol name (tcp, udp, icmp, ...); then `is' and a verdict"))));
            }
            protocols = numbers;
            protocolsNegated = negated;
            selectors.add(space -> {
                int set = protocolsOf(space, numbers);
                return negated ? space.not(set) : set;
            });
        }

        private int protocolsOf(HeaderSpace space, java.util.Collection<String> numbers) {
            List<Integer> sets = new ArrayList<>();
            numbers.forEach(n -> sets.add(space.equal(space.proto, Integer.parseInt(n))));
            return space.union(sets);
        }

        /** A value of the selector, with {@code not} before it for its complement; items of a list are or-ed. */
        private Selector negatable(Word keyword, ItemReader reader) throws Mistake {
            boolean negated = takeIf("not");
            Word value = take("a value after `" + keyword.text() + "'");
            if (value.text().equals("is") || value.text().equals("are")) {
                throw new Mistake(value.column(), "missing a value after `" + keyword.text() + "'");
            }
            List<Selector> items = new ArrayList<>();
            for (String item : value.text().split(",")) {
                try {
                    items.add(reader.read(item));
                } catch (IllegalArgumentException e) {
                    throw new Mistake(value.column(), "`" + keyword.text() + "': " + e.getMessage());
                }
            }
            return space -> {
                List<Integer> sets = new ArrayList<>();
                items.forEach(s -> sets.add(s.packets(space)));
                int set = space.union(sets);
                return negated ? space.not(set) : set;
            };
        }

        private Selector network(String text, boolean source) {
            int slash = text.indexOf('/');
            byte[] address = Addresses.parseLiteral(slash < 0 ? text : text.substring(0, slash), family);
            if (address == null) {
                throw new IllegalArgumentException("`" + text + "' is no " + label() + " address or network"
                        + (family == Family.IPV4 && text.contains(":") ? " (give -6 for IPv6)" : ""));
            }
            int bits = family.addressBits();
            int length = bits;
            if (slash >= 0) {
                String suffix = text.substring(slash + 1);
                length = suffix.matches("\\d{1,3}") ? Integer.parseInt(suffix) : -1;
                if (length < 0 || length > bits) {
                    throw new IllegalArgumentException("`" + suffix + "' is no prefix length from 0 to " + bits);
                }
            }
            byte[] mask = new byte[bits / 8];
            for (int i = 0; i < length; i++) {
                mask[i / 8] |= (byte) (0x80 >> (i % 8));
            }
            return space -> space.masked(source ? space.src : space.dst, address, mask);
        }

        private String label() {
            return family == Family.IPV4 ? "IPv4" : "IPv6";
        }

        private Selector ports(String text, boolean source) {
            String[] bounds = text.split("[-:]", -1);
            if (bounds.length > 2) {
                throw new IllegalArgumentException("`" + text + "' is no port or range N-M");
            }
            int low = port(bounds[0]);
            int high = bounds.length == 2 ? port(bounds[1]) : low;
            if (low > high) {
                throw new IllegalArgumentException("the range " + text + " ends before it starts");
            }
            return space -> space.range(source ? space.sport : space.dport, low, high);
        }

        private int port(String text) {
            if (text.matches("\\d{1,5}") && Integer.parseInt(text) <= 65535) {
                return Integer.parseInt(text);
            }
            return names.servicePort(text, "tcp").or(() -> names.servicePort(text, "udp")).orElseThrow(() ->
                    new IllegalArgumentException("`" + text + "' is no port number (0 to 65535) or service name"));
        }

        private Selector iface(String name, boolean input) {
            if (name.isEmpty() || name.length() > 15 || name.contains("/") || name.contains(":")) {
                throw new IllegalArgumentException("`" + name + "' is no interface name (at most 15 characters,"
                        + " no / or :; a + at the end for every name it starts)");
            }
            interfaces.add(name);
            return space -> {
                List<Integer> sets = new ArrayList<>();
                space.interfaces().matching(name).forEach(i -> sets.add(space.equal(input ? space.in : space.out, i)));
                return space.union(sets);
            };
        }

        private Selector states(String name) {
            if (name.equalsIgnoreCase("any")) {
                return HeaderSpace::yes;
            }
            CtState state = CtState.byName(name).orElseThrow(() -> new IllegalArgumentException("unknown state `"
                    + name + "': use new, established, related, invalid, untracked or any"));
            return space -> space.equal(space.ctState, state.ordinal());
        }

        private Selector flags(String names) {
            if (names.equalsIgnoreCase("any")) {
                return HeaderSpace::yes;
            }
            long bits = 0;
            for (String flag : names.toUpperCase(Locale.ROOT).split("\\+")) {
                if (!Packet.TCP_FLAG_NAMES.contains(flag) && !flag.equals("NONE")) {
                    throw new IllegalArgumentException("unknown TCP flag `" + flag + "': use FIN, SYN, RST, PSH,"
                            + " ACK, URG, ECE, CWR, NONE or any, several joined by + (SYN+ACK)");
                }
                bits |= flag.equals("NONE") ? 0 : 1L << Packet.TCP_FLAG_NAMES.indexOf(flag);
            }
            long exactly = bits;
            return space -> space.equal(space.tcpFlags, exactly);
        }

        private Selector icmp(String text) {
            String canonical;
            try {
                canonical = PacketSpec.icmpTypeCanonical(text, family);
            } catch (InvalidValueException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            if (canonical.equals("any")) {
                return HeaderSpace::yes;
            }
            String[] parts = canonical.split("/");
            int type = Integer.parseInt(parts[0]);
            return space -> {
                int set = space.equal(space.icmpType, type);
                return parts.length > 1 ? space.and(set, space.equal(space.icmpCode, Integer.parseInt(parts[1])))
                        : set;
            };
        }

        private Selector mark(String text) {
            int slash = text.indexOf('/');
            try {
                long value = Long.decode(slash < 0 ? text : text.substring(0, slash));
                long mask = slash < 0 ? 0xffffffffL : Long.decode(text.substring(slash + 1));
                if (value < 0 || value > 0xffffffffL || mask < 0 || mask > 0xffffffffL) {
                    throw new NumberFormatException();
                }
                return space -> space.masked(space.mark, value & mask, mask);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("`" + text + "' is no mark VALUE or VALUE/MASK of 32 bits");
            }
        }

        /** The flags after {@code packet}, as {@code rampart trace} takes them, up to {@code is}. */
        private Packet packet(Word at) throws Mistake {
            PacketSpec spec = new PacketSpec(names);
            while (peek() != null && !peek().text().equals("is") && !peek().text().equals("are")) {
                Word flag = take("a flag");
                String key = flag.text().startsWith("--") ? flag.text().substring(2).replace('-', '_') : "";
                if (!PacketSpec.KEYS.contains(key)) {
                    throw new Mistake(flag.column(), "`" + flag.text() + "' is no flag of trace's packet",
                            "use --" + String.join(", --", new TreeSet<>(PacketSpec.KEYS)).replace('_', '-'));
                }
                spec.set(key, key.equals("local") ? "true" : take("a value after " + flag.text()).text());
            }
            Packet packet;
            try {
                packet = spec.build(family);
            } catch (TraceInputException e) {
                throw new Mistake(at.column(), "packet: " + e.getMessage());
            }
            if (packet.local() && packet.out() == null) {
                throw new Mistake(at.column(), "an outgoing packet (--local) needs --out: the interface it leaves on");
            }
            if (!packet.local() && packet.in() == null) {
                throw new Mistake(at.column(), "an incoming or forwarded packet needs --in: the interface it"
                        + " arrives on");
            }
            if (packet.in() != null) {
                interfaces.add(packet.in());
            }
            if (packet.out() != null) {
                interfaces.add(packet.out());
            }
            return packet;
        }

        private int number(Word w, int min, int max) throws Mistake {
            try {
                int n = Integer.parseInt(w.text());
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new Mistake(w.column(), "`" + w.text() + "' is no number from " + min);
        }
    }

    /** Reads one item of a selector's value into a set of packets, or says why it cannot. */
    @FunctionalInterface
    private interface ItemReader {
        Selector read(String item);
    }
}
