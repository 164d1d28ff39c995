package io.rampart.syntax;

import io.rampart.model.Family;
import io.rampart.model.Hook;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.Table;
import io.rampart.model.Target;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.ExtensionSpec;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extension.InvalidValueException;
import io.rampart.model.extension.OptionSpec;
import io.rampart.model.extension.Suggestions;
import io.rampart.model.extension.ValueContext;
import io.rampart.model.extension.ValueType;
import io.rampart.model.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads rules in iptables' own syntax ({@code -A CHAIN [!] -s ADDR -p tcp --dport 22 -j ACCEPT})
 * into canonical {@link Rule}s: any spelling iptables accepts, refused where iptables refuses.
 */
public final class RuleParser {

    /**
     * iptables' own long options that are not rule options. getopt_long weighs an abbreviated
     * option against them too, so {@code --set} is ambiguous with {@code --set-counters}.
     */
    private static final List<String> COMMAND_OPTIONS = List.of("append", "delete", "check", "insert", "replace",
            "list", "list-rules", "flush", "zero", "new-chain", "delete-chain", "rename-chain", "policy", "jump",
            "table", "match", "numeric", "verbose", "wait", "wait-interval", "exact", "version", "help",
            "line-numbers", "modprobe", "set-counters", "goto", "ipv4", "ipv6");
    /** The same names for the exact lookup every option word makes. */
    private static final Set<String> COMMAND_NAMES = Set.copyOf(COMMAND_OPTIONS);

    private final ExtensionRegistry registry;
    private final Family family;
    private final HostNames names;

    /** A parser that looks services, protocols, users and host names up in {@code names}. */
    public RuleParser(ExtensionRegistry registry, Family family, HostNames names) {
        this.registry = registry;
        this.family = family;
        this.names = names;
    }

    public Family family() {
        return family;
    }

    /**
     * Parses one {@code -A CHAIN ...} line of the given table. A line may stand for several rules:
     * iptables adds one per address of {@code -s a,b} and {@code -d c,d}.
     *
     * @throws OtherFamilyException when the line is marked {@code -4}/{@code -6} for the other family
     */
    public List<Rule> parseLine(String line, Table table) throws RuleSyntaxException {
        return readLine(line, table).build(null);
    }

    /**
     * Parses a line as {@link #parseLine(String, Table)} does, the rules made of the parts
     * {@code interner} already holds where they are equal: for the many lines of one ruleset.
     */
    public List<Rule> parseLine(String line, Table table, RuleInterner interner) throws RuleSyntaxException {
        // The words after the chain read the same in every chain of one hook: read them once.
        Token plain = plainChain(line);
        RuleInterner.Words words = null;
        if (plain != null) {
            checkChainName(plain);
            words = wordsAfter(plain, line, table);
            List<Rule> known = interner.rulesOf(words);
            if (known != null) {
                return interner.inChain(plain.text(), known);
            }
        }
        List<Token> tokens = Tokenizer.split(line);
        int chainAt = chainIndex(tokens);
        if (words == null) {
            words = wordsAfter(tokens.get(chainAt), line, table);
            List<Rule> known = interner.rulesOf(words);
            if (known != null) {
                return interner.inChain(tokens.get(chainAt).text(), known);
            }
        }
        List<Rule> rules = reader(tokens, chainAt, table).build(interner);
        interner.remember(words, List.copyOf(rules));
        return rules;
    }

    private static RuleInterner.Words wordsAfter(Token chain, String line, Table table) {
        return new RuleInterner.Words(table, table.builtinHook(chain.text()).orElse(null),
                line.substring(chain.end() - 1));
    }

    /**
     * The chain's word of a line that starts {@code -A CHAIN} with no quote in the chain's name,
     * found without splitting the line (as {@link Tokenizer} would split it), or null.
     */
    private static Token plainChain(String line) {
        int at = Tokenizer.skipBlanks(line, 0);
        if (!line.startsWith("-A", at) || at + 2 >= line.length() || !Tokenizer.isBlank(line.charAt(at + 2))) {
            return null;
        }
        int start = Tokenizer.skipBlanks(line, at + 2);
        int end = start;
        while (end < line.length() && !Tokenizer.isBlank(line.charAt(end))) {
            if (line.charAt(end) == '"') {
                return null;
            }
            end++;
        }
        return end == start ? null : new Token(line.substring(start, end), start + 1, end + 1, false);
    }

    /**
     * Where each option and extension of a {@code -A CHAIN ...} line was written, read as
     * {@link #parseLine} reads it (which option a spelling stands for, which loaded extension takes
     * it), without making the rule: for pointing at the words of a rule already parsed.
     *
     * @throws RuleSyntaxException when the words cannot be read as a rule; their values are not checked
     */
    public RuleLayout layout(String line, Table table) throws RuleSyntaxException {
        return readLine(line, table).layout();
    }

    /** A reader that has read the words of the line. */
    private RuleReader readLine(String line, Table table) throws RuleSyntaxException {
        List<Token> tokens = Tokenizer.split(line);
        return reader(tokens, chainIndex(tokens), table);
    }

    /** A reader that has read the words after the chain at {@code chainAt}. */
    private RuleReader reader(List<Token> tokens, int chainAt, Table table) throws RuleSyntaxException {
        RuleReader reader = new RuleReader(tokens.get(chainAt), tokens.subList(chainAt + 1, tokens.size()), table);
        reader.readWords();
        return reader;
    }

    /** Where the chain's word is: after the family markers and {@code -A}, each checked. */
    private int chainIndex(List<Token> tokens) throws RuleSyntaxException {
        int at = 0;
        while (at < tokens.size() && (tokens.get(at).text().equals("-4") || tokens.get(at).text().equals("-6"))) {
            Token marker = tokens.get(at);
            if (!marker.text().equals(family.marker())) {
                throw new OtherFamilyException("rule is marked " + marker.text() + " (for "
                        + (family == Family.IPV4 ? "ip6tables" : "iptables") + ")", marker.column());
            }
            at++;
        }
        if (at >= tokens.size()) {
            throw new RuleSyntaxException("empty rule: expected -A CHAIN", 1);
        }
        Token command = tokens.get(at);
        if (!command.text().equals("-A") && !isLongOption(command.text(), "append")) {
            throw new RuleSyntaxException("expected -A CHAIN, found `" + command.text() + "'", command.column());
        }
        if (at + 1 >= tokens.size()) {
            throw new RuleSyntaxException("-A needs a chain name", command.column());
        }
        checkChainName(tokens.get(at + 1));
        return at + 1;
    }

    /** Whether {@code word} is {@code --NAME} or an abbreviation getopt_long takes for it. */
    private static boolean isLongOption(String word, String name) {
        return word.startsWith("--") && word.length() > 2 && name.startsWith(word.substring(2));
    }

    /** Whether the rule's target is a user chain rather than a target extension or verdict. */
    public boolean jumpsToUserChain(Rule rule) {
        return rule.target() != null && registry.target(rule.target().name(), family).isEmpty();
    }

    private static void checkChainName(Token chain) throws RuleSyntaxException {
        String name = chain.text();
        if (name.isEmpty() || name.startsWith("-") || name.equals("!")) {
            throw new RuleSyntaxException("-A needs a chain name, found `" + name + "'", chain.column());
        }
        if (name.length() > io.rampart.model.Chain.MAX_NAME_LENGTH) {
            throw new RuleSyntaxException("chain name `" + name + "' is longer than "
                    + io.rampart.model.Chain.MAX_NAME_LENGTH + " characters", chain.column());
        }
    }

    /** What {@code sscanf("%llu")} takes as a number: blanks, a sign, digits. */
    private static final Pattern COUNTER = Pattern.compile("[ \\t\\n\\x0B\\f\\r]*[+-]?[0-9]");

    /** The state of reading one rule: what is loaded so far, left to right, as iptables does it. */
    private final class RuleReader {
        private final Token chainWord;
        private final String chain;
        private final List<Token> words;
        private final Table table;
        private final ExtensionSpec header;
        private final List<GivenOption> headerOptions = new ArrayList<>();
        private final List<LoadedExtension> matches = new ArrayList<>();
        private LoadedExtension target;
        private Target.Kind targetKind;
        private Token negation;
        /** The canonical argument of -p, null without one or when it is invalid: read once, as every later option needs it. */
        private String protocol;
        /** The -p argument as written, lower case: iptables loads the match of that name (-p mh loads mh). */
        private String protocolWord;
        private boolean protocolNegated;
        private boolean countersGiven;
        private int at;

        RuleReader(Token chain, List<Token> words, Table table) {
            this.chainWord = chain;
            this.chain = chain.text();
            this.words = words;
            this.table = table;
            this.header = registry.header(family);
        }

        void readWords() throws RuleSyntaxException {
            while (at < words.size()) {
                Token word = words.get(at++);
                String text = word.text();
                if (text.equals("!") && !word.quoted()) {
                    if (negation != null) {
                        throw new RuleSyntaxException("multiple `!' flags not allowed", word.column());
                    }
                    negation = word;
                } else if (text.equals("-m") || text.equals("--match")) {
                    loadMatch(word);
                } else if (text.equals("-j") || text.equals("--jump")) {
                    setTarget(word, Target.Kind.JUMP);
                } else if (text.equals("-g") || text.equals("--goto")) {
                    setTarget(word, Target.Kind.GOTO);
                } else if (text.equals("-c") || text.equals("--set-counters")) {
                    skipCounters(word);
                } else if (text.startsWith("-") && text.length() > 1) {
                    readOption(word);
                } else {
                    throw new RuleSyntaxException("unexpected argument `" + text + "'"
                            + (text.equals("!") ? "" : ": an option (starting with -) was expected"), word.column());
                }
            }
            if (negation != null) {
                throw new RuleSyntaxException("`!' must be followed by an option", negation.column());
            }
        }

        RuleLayout layout() {
            return new RuleLayout(chainWord, written(headerOptions),
                    matches.stream().map(RuleReader::written).toList(), target == null ? null : written(target));
        }

        private static RuleLayout.WrittenExtension written(LoadedExtension extension) {
            return new RuleLayout.WrittenExtension(extension.spec(), extension.loader(), extension.name(),
                    written(extension.options()));
        }

        private static List<RuleLayout.WrittenOption> written(List<GivenOption> options) {
            return options.stream().map(o -> new RuleLayout.WrittenOption(o.spec(), o.negation(), o.token(), o.args()))
                    .toList();
        }

        private void loadMatch(Token word) throws RuleSyntaxException {
            refuseNegation(word);
            Token name = argument(word);
            ExtensionSpec spec = registry.match(name.text(), family).orElseThrow(() -> new RuleSyntaxException(
                    "unknown match `" + name.text() + "'", name.column(), Suggestions.hint(name.text(),
                            registry.all(io.rampart.model.extension.ExtensionKind.MATCH, family).stream()
                                    .map(ExtensionSpec::name).toList())));
            matches.add(new LoadedExtension(spec, word, name));
        }

        private void setTarget(Token word, Target.Kind kind) throws RuleSyntaxException {
            refuseNegation(word);
            Token name = argument(word);
            if (target != null) {
                throw new RuleSyntaxException("a rule has one target: " + word.text() + " given twice", word.column());
            }
            Optional<ExtensionSpec> spec = registry.target(name.text(), family);
            Optional<String> withdrawn = registry.withdrawnTarget(name.text(), family);
            if (withdrawn.isPresent()) {
                throw new RuleSyntaxException(withdrawn.get(), name.column());
            }
            if (spec.isEmpty()) {
                checkUserChainTarget(name);
            } else if (kind == Target.Kind.GOTO) {
                throw new RuleSyntaxException("-g goes to a user chain; " + name.text() + " is a target: use -j "
                        + name.text(), name.column());
            }
            target = new LoadedExtension(spec.orElse(null), word, name);
            targetKind = kind;
        }

        private void checkUserChainTarget(Token name) throws RuleSyntaxException {
            String chainName = name.text();
            if (chainName.isEmpty() || chainName.startsWith("-")) {
                throw new RuleSyntaxException("a target or chain name is needed, found `" + chainName + "'",
                        name.column());
            }
            if (chainName.length() > io.rampart.model.Chain.MAX_NAME_LENGTH) {
                throw new RuleSyntaxException("chain name `" + chainName + "' is longer than "
                        + io.rampart.model.Chain.MAX_NAME_LENGTH + " characters", name.column());
            }
            if (table.isBuiltinChain(chainName)) {
                throw new RuleSyntaxException("cannot jump to built-in chain " + chainName, name.column());
            }
        }

        /**
         * {@code -c PACKETS BYTES} or {@code -c PACKETS,BYTES}, read as iptables reads them: the bytes
         * after the first comma of the argument, else the next word if it is no option; each number
         * as {@code sscanf("%llu")} reads it, so only its start must be a number.
         */
        private void skipCounters(Token word) throws RuleSyntaxException {
            if (countersGiven) {
                throw new RuleSyntaxException("multiple -c flags not allowed", word.column());
            }
            countersGiven = true;
            // Counters are state, not part of the rule: accepted like iptables-restore does, then dropped.
            Token packets = argument(word);
            int comma = packets.text().indexOf(',', 1);
            String bytes;
            int bytesColumn;
            if (comma >= 0) {
                bytes = packets.text().substring(comma + 1);
                bytesColumn = packets.column() + comma + 1;
            } else if (at < words.size() && !words.get(at).text().startsWith("-") && !words.get(at).text().startsWith("!")) {
                Token next = words.get(at++);
                bytes = next.text();
                bytesColumn = next.column();
            } else {
                throw new RuleSyntaxException(word.text() + " requires packet and byte counter (-c PACKETS BYTES"
                        + " or -c PACKETS,BYTES)", word.column());
            }
            if (!COUNTER.matcher(packets.text()).lookingAt()) {
                throw new RuleSyntaxException(word.text() + " packet counter not numeric: `" + packets.text() + "'",
                        packets.column());
            }
            if (!COUNTER.matcher(bytes).lookingAt()) {
                throw new RuleSyntaxException(word.text() + " byte counter not numeric: `" + bytes + "'", bytesColumn);
            }
        }

        private void readOption(Token word) throws RuleSyntaxException {
            String text = word.text();
            String name = text.startsWith("--") ? text.substring(2) : text.substring(1);
            String attached = null;
            int equals = name.indexOf('=');
            if (equals > 0 && text.startsWith("--")) {
                attached = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            Resolved resolved = resolve(name, word);
            if (resolved.command() != null) {
                readCommandOption(resolved.command(), word);
                return;
            }
            OptionSpec spec = resolved.option();
            List<Token> args = new ArrayList<>();
            if (attached != null) {
                // getopt_long takes --option=value for extension options; the header options read
                // their value from the next word only, so iptables refuses it there.
                if (resolved.owner() == null || spec.args().size() != 1) {
                    throw new RuleSyntaxException("`" + text + "': write the value as the next word: --" + name
                            + " " + attached, word.column());
                }
                args.add(new Token(attached, word.column() + name.length() + 3, word.end(), word.quoted()));
            }
            for (int i = args.size(); i < spec.args().size(); i++) {
                if (spec.args().get(i).optional() && (at >= words.size() || words.get(at).text().startsWith("-")
                        || words.get(at).text().startsWith("!"))) {
                    break;
                }
                Token value = argument(word);
                if (value.text().equals("!") && !value.quoted()) {
                    throw new RuleSyntaxException("`" + text + " ! VALUE' is not accepted: write `! " + text
                            + " VALUE'", value.column());
                }
                args.add(value);
            }
            Token negatedBy = negation;
            if (negatedBy != null && !spec.negatable()) {
                throw new RuleSyntaxException(OptionSpec.spell(spec.name()) + " cannot be negated with `!'",
                        negation.column());
            }
            negation = null;
            List<GivenOption> into = resolved.owner() == null ? headerOptions : resolved.owner().options;
            for (GivenOption earlier : into) {
                if (earlier.spec().name().equals(spec.name()) && !spec.repeats()) {
                    throw new RuleSyntaxException("multiple " + OptionSpec.spell(spec.name()) + " flags not allowed",
                            word.column());
                }
            }
            into.add(new GivenOption(spec, negatedBy, args, word, protocol, protocol != null && protocolNegated));
            if (resolved.owner() == null && spec.name().equals("p")) {
                noteProtocol(spec, args.get(0).text(), negatedBy != null);
            }
        }

        /** iptables' own options, reached by an abbreviation such as {@code --ju} for {@code --jump}. */
        private void readCommandOption(String command, Token word) throws RuleSyntaxException {
            switch (command) {
                case "jump" -> setTarget(word, Target.Kind.JUMP);
                case "goto" -> setTarget(word, Target.Kind.GOTO);
                case "match" -> loadMatch(word);
                case "set-counters" -> skipCounters(word);
                default -> throw new RuleSyntaxException(word.text() + " stands for --" + command
                        + ", which cannot be used within a rule", word.column());
            }
        }

        /** Finds which loaded extension an option belongs to, loading the protocol's match if needed. */
        private Resolved resolve(String name, Token word) throws RuleSyntaxException {
            boolean longOption = word.text().startsWith("--");
            if (!longOption && name.length() != 1) {
                throw unknownOption(name, word);
            }
            Optional<Resolved> found = lookup(name, longOption);
            if (found.isEmpty()) {
                Optional<ExtensionSpec> implicit = implicitMatch();
                if (implicit.isPresent()) {
                    // Like iptables: an unknown option loads the -p protocol's match, then is looked up again.
                    LoadedExtension loaded = new LoadedExtension(implicit.get(), word, word);
                    matches.add(loaded);
                    found = lookup(name, longOption);
                    if (found.isEmpty()) {
                        matches.remove(loaded);
                    }
                }
            }
            return found.orElseThrow(() -> unknownOption(name, word));
        }

        /**
         * getopt_long's rule: an exact name wins, else a prefix of long names that all stand for
         * one option. iptables' own options count too.
         */
        private Optional<Resolved> lookup(String name, boolean longOption) throws RuleSyntaxException {
            Optional<Resolved> exact = exactLookup(name, longOption);
            if (exact.isPresent() || !longOption) {
                return exact;
            }
            List<Resolved> candidates = new ArrayList<>();
            for (String command : COMMAND_OPTIONS) {
                if (command.startsWith(name)) {
                    candidates.add(Resolved.command(command));
                }
            }
            addPrefixMatches(null, header, name, candidates);
            if (target != null && target.spec() != null) {
                addPrefixMatches(target, target.spec(), name, candidates);
            }
            for (int i = matches.size() - 1; i >= 0; i--) {
                if (!loadedLater(matches.get(i).spec(), i)) {
                    addPrefixMatches(matches.get(i), matches.get(i).spec(), name, candidates);
                }
            }
            if (candidates.size() <= 1) {
                return candidates.stream().findFirst();
            }
            throw new RuleSyntaxException("option --" + name + " is ambiguous: it could be " + String.join(", ",
                    candidates.stream().map(c -> "--" + (c.command() != null ? c.command() : longName(c.option())))
                            .toList()), 0);
        }

        /** Whether a match after index {@code i} is the same extension: an extension loaded again shares its options. */
        private boolean loadedLater(ExtensionSpec spec, int i) {
            for (int j = i + 1; j < matches.size(); j++) {
                if (matches.get(j).spec() == spec) {
                    return true;
                }
            }
            return false;
        }

        private static void addPrefixMatches(LoadedExtension owner, ExtensionSpec spec, String name,
                                             List<Resolved> into) {
            for (OptionSpec option : spec.options()) {
                if (option.answersTo(name, true, true)) {
                    into.add(new Resolved(owner, option, null));
                }
            }
        }

        /**
         * The first option of that exact name: iptables' own, then the target's, the header's, the
         * latest match's. It runs for every option word, so it builds nothing until it finds one.
         */
        private Optional<Resolved> exactLookup(String name, boolean longOption) {
            if (longOption && COMMAND_NAMES.contains(name)) {
                return Optional.of(Resolved.command(name));
            }
            if (target != null && target.spec() != null) {
                OptionSpec option = registry.exactOption(target.spec(), name, longOption);
                if (option != null) {
                    return Optional.of(new Resolved(target, option, null));
                }
            }
            OptionSpec headerOption = registry.exactOption(header, name, longOption);
            if (headerOption != null) {
                return Optional.of(new Resolved(null, headerOption, null));
            }
            // The match loaded last takes the option, as in iptables: -m mark --mark 1 -m mark --mark 2,
            // -m set --match-set a src -m set --match-set b dst.
            for (int i = matches.size() - 1; i >= 0; i--) {
                OptionSpec option = registry.exactOption(matches.get(i).spec(), name, longOption);
                if (option != null) {
                    return Optional.of(new Resolved(matches.get(i), option, null));
                }
            }
            return Optional.empty();
        }

        private static String longName(OptionSpec option) {
            return option.names().stream().filter(n -> n.length() > 1).findFirst().orElse(option.name());
        }

        private Optional<ExtensionSpec> implicitMatch() {
            Optional<String> protocol = protocol();
            if (protocol.isEmpty()) {
                return Optional.empty();
            }
            Optional<ExtensionSpec> spec = registry.implicitMatch(protocolWord, family)
                    .or(() -> registry.implicitMatch(protocol.get(), family));
            if (spec.isPresent() && matches.stream().anyMatch(m -> m.spec().equals(spec.get()))) {
                return Optional.empty();
            }
            return spec;
        }

        /** Records the rule's -p (there is one at most: -p cannot be repeated). */
        private void noteProtocol(OptionSpec spec, String argument, boolean negated) {
            protocolNegated = negated;
            protocolWord = argument.toLowerCase(java.util.Locale.ROOT);
            try {
                protocol = spec.args().get(0).canonical(argument, ValueContext.of(family, names));
            } catch (InvalidValueException e) {
                protocol = null;
            }
        }

        private Optional<String> protocol() {
            return Optional.ofNullable(protocol);
        }


        private RuleSyntaxException unknownOption(String name, Token word) {
            Set<String> known = new LinkedHashSet<>();
            List<ExtensionSpec> loaded = new ArrayList<>();
            loaded.add(header);
            matches.forEach(m -> loaded.add(m.spec()));
            if (target != null && target.spec() != null) {
                loaded.add(target.spec());
            }
            implicitMatch().ifPresent(loaded::add);
            for (ExtensionSpec spec : loaded) {
                spec.options().forEach(o -> o.names().forEach(known::add));
            }
            String suggestion = Suggestions.closest(name, known);
            String message = "unknown option " + word.text().replaceFirst("=.*", "");
            if (suggestion != null) {
                return new RuleSyntaxException(message, word.column(), didYouMean(suggestion));
            }
            Set<String> everywhere = new LinkedHashSet<>();
            registry.all().stream().filter(s -> s.availableIn(family))
                    .forEach(s -> s.options().forEach(o -> everywhere.addAll(o.names())));
            String elsewhere = everywhere.contains(name) ? name : Suggestions.closest(name, everywhere);
            if (elsewhere != null) {
                List<String> providers = registry.all().stream()
                        .filter(s -> s.availableIn(family) && s.option(elsewhere).isPresent())
                        .map(s -> s.kind() == io.rampart.model.extension.ExtensionKind.TARGET ? "-j " + s.name()
                                : s.implicitProtocol().map(p -> "-p " + p).orElse("-m " + s.name()))
                        .distinct().toList();
                return new RuleSyntaxException(message + ": " + OptionSpec.spell(elsewhere) + " belongs to "
                        + String.join(" or ", providers) + ", which must come before it", word.column(),
                        elsewhere.equals(name) ? null : didYouMean(elsewhere));
            }
            return new RuleSyntaxException(message, word.column());
        }

        private static String didYouMean(String option) {
            return "did you mean " + OptionSpec.spell(option) + "?";
        }

        private Token argument(Token option) throws RuleSyntaxException {
            if (at >= words.size()) {
                throw new RuleSyntaxException(option.text() + " needs an argument", option.column());
            }
            return words.get(at++);
        }

        private void refuseNegation(Token word) throws RuleSyntaxException {
            if (negation != null) {
                throw new RuleSyntaxException("`!' cannot precede " + word.text(), negation.column());
            }
        }

        private List<Rule> build(RuleInterner interner) throws RuleSyntaxException {
            Optional<Hook> hook = table.builtinHook(chain);
            ValueContext context = new ValueContext(family, table, protocol, protocolNegated,
                    hook.orElse(null), names);
            List<Option> headerCanonical = canonicalize(header, values(headerOptions, context), context, null);
            checkInterfaces(hook);
            List<Match> matchList = new ArrayList<>();
            for (LoadedExtension match : matches) {
                checkScope(match, hook);
                List<Option> given = values(match.options, context);
                List<Option> canonical = canonicalize(match.spec(), given, context, match.name());
                if (match.spec().keptInRule(given, canonical)) {
                    matchList.add(new Match(match.spec().name(), canonical));
                }
            }
            Target built = null;
            if (target != null) {
                if (target.spec() == null) {
                    built = new Target(target.name().text(), targetKind, List.of());
                } else {
                    checkScope(target, hook);
                    built = new Target(target.spec().name(), targetKind,
                            canonicalize(target.spec(), values(target.options, context), context, target.name()));
                }
            }
            return expand(headerCanonical, matchList, built, interner);
        }

        private void checkInterfaces(Optional<Hook> hook) throws RuleSyntaxException {
            if (hook.isEmpty()) {
                return;
            }
            for (GivenOption option : headerOptions) {
                String name = option.spec().name();
                boolean wrong = (name.equals("i") && !Hook.RECEIVING.contains(hook.get()))
                        || (name.equals("o") && !Hook.SENDING.contains(hook.get()));
                if (wrong) {
                    throw new RuleSyntaxException("-" + name + " cannot be used in " + chain + ": packets there have no "
                            + (name.equals("i") ? "input" : "output") + " interface yet", option.token().column());
                }
            }
        }

        private void checkScope(LoadedExtension extension, Optional<Hook> hook) throws RuleSyntaxException {
            ExtensionSpec spec = extension.spec();
            if (!spec.tables().contains(table)) {
                throw new RuleSyntaxException(spec.describeKind() + " is only valid in the "
                        + String.join(", ", spec.tables().stream().sorted().map(Table::label).toList())
                        + " table" + (spec.tables().size() > 1 ? "s" : "") + ", not in " + table.label(),
                        extension.name().column());
            }
            if (hook.isPresent() && !spec.hooks().contains(hook.get())) {
                throw new RuleSyntaxException(spec.describeKind() + " is only valid in "
                        + String.join(", ", spec.hooks().stream().sorted().map(Hook::name).toList())
                        + ", not in " + chain, extension.name().column());
            }
        }

        /** The options as given, each value in its canonical spelling. */
        private List<Option> values(List<GivenOption> given, ValueContext context) throws RuleSyntaxException {
            List<Option> options = new ArrayList<>();
            for (GivenOption option : given) {
                List<Value> values = new ArrayList<>();
                for (int i = 0; i < option.args().size(); i++) {
                    ValueType type = option.spec().args().get(i);
                    try {
                        values.add(type.parse(option.args().get(i).text(),
                                context.withProtocol(option.protocolSoFar(), option.protocolNegatedSoFar())));
                    } catch (InvalidValueException e) {
                        throw new RuleSyntaxException(option.token().text().replaceFirst("=.*", "") + ": "
                                + e.problem(), option.args().get(i).column(), e.hint());
                    }
                }
                options.add(Option.typed(option.spec().name(), option.negated(), values));
            }
            return options;
        }

        private List<Option> canonicalize(ExtensionSpec spec, List<Option> options, ValueContext context, Token where)
                throws RuleSyntaxException {
            try {
                return spec.canonicalize(options, context);
            } catch (InvalidValueException e) {
                throw new RuleSyntaxException(e.problem(), where == null ? 0 : where.column(), e.hint());
            }
        }

        /** One rule per combination of the addresses of {@code -s} and {@code -d}. */
        private List<Rule> expand(List<Option> headerCanonical, List<Match> matchList, Target built,
                                  RuleInterner interner) {
            List<List<Option>> headers = List.of(headerCanonical);
            for (int i = 0; i < headerCanonical.size(); i++) {
                Option option = headerCanonical.get(i);
                OptionSpec spec = header.option(option.name()).orElseThrow();
                if (spec.isFlag() || !spec.args().get(0).expandsToRules() || !option.arg().contains(",")) {
                    continue;
                }
                List<List<Option>> next = new ArrayList<>();
                for (List<Option> partial : headers) {
                    for (String value : option.arg().split(",")) {
                        List<Option> copy = new ArrayList<>(partial);
                        copy.set(i, Option.typed(option.name(), option.negated(),
                                List.of(spec.args().get(0).value(value))));
                        next.add(copy);
                    }
                }
                headers = next;
            }
            List<Rule> rules = new ArrayList<>(headers.size());
            for (List<Option> h : headers) {
                rules.add(interner == null ? new Rule(chain, h, matchList, built) : interner.rule(chain, h, matchList, built));
            }
            return rules;
        }
    }

    /** An extension loaded by the rule (by the word {@code loader}), with the options given to it so far. */
    private record LoadedExtension(ExtensionSpec spec, Token loader, Token name, List<GivenOption> options) {
        LoadedExtension(ExtensionSpec spec, Token loader, Token name) {
            this(spec, loader, name, new ArrayList<>());
        }
    }

    /**
     * An option as given: its {@code !} (null when not negated), its word and arguments, and the
     * {@code -p} given before it: iptables reads each value with what the rule said up to there.
     */
    private record GivenOption(OptionSpec spec, Token negation, List<Token> args, Token token,
                               String protocolSoFar, boolean protocolNegatedSoFar) {
        boolean negated() {
            return negation != null;
        }
    }

    /**
     * What a name on the command line stands for: an option and the loaded extension it belongs to
     * (null for a header option), or one of iptables' own options.
     */
    private record Resolved(LoadedExtension owner, OptionSpec option, String command) {
        static Resolved command(String name) {
            return new Resolved(null, null, name);
        }
    }
}
