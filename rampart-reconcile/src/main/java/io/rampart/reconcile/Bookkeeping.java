package io.rampart.reconcile;

import io.rampart.model.Chain;
import io.rampart.model.Family;
import io.rampart.model.Match;
import io.rampart.model.Option;
import io.rampart.model.Rule;
import io.rampart.model.extension.ExtensionRegistry;
import io.rampart.model.extension.NameDatabase;
import io.rampart.syntax.RuleParser;
import io.rampart.syntax.RulePrinter;
import io.rampart.syntax.RuleSyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Rampart manages, remembered in the kernel itself: a chain named {@value #CHAIN} in each
 * table holds one comment rule per managed chain (user chains, and built-in chains a file owns
 * whole), for each shared built-in chain the fingerprints of the block of rules Rampart put there,
 * and one {@code stage} record per staged ruleset (see {@link Stages}). Nothing jumps to it, so
 * packets never see it; it lives and dies with the namespace and survives restarts of Rampart.
 */
final class Bookkeeping {

    static final String CHAIN = "RAMPART-MANAGED";

    private static final String SHARED = "shared";
    /** The first word of a staged ruleset's record; apply carries these records over unchanged. */
    static final String STAGE = "stage";
    /** Fingerprints per record, so that a record stays within the kernel's 256-byte comment. */
    private static final int FINGERPRINTS_PER_RECORD = 20;

    /** The block of a shared chain: where it stands and a fingerprint of each of its rules, in order. */
    record SharedBlock(Chain.Sharing where, List<String> fingerprints) {
    }

    /** A record rule as the kernel saved it, and its comment. */
    record SavedRecord(String line, String comment) {
    }

    /** Everything recorded for one table. */
    record Records(Set<String> chains, Map<String, SharedBlock> shared) {
        static final Records NONE = new Records(Set.of(), Map.of());

        boolean isEmpty() {
            return chains.isEmpty() && shared.isEmpty();
        }
    }

    /** Comments remembered at most: far more than the records of any table, and a bound for a process that runs for days. */
    private static final int REMEMBERED = 200_000;

    private final ExtensionRegistry registry;
    private final RuleParser parser;
    private final RulePrinter printer;
    /** The comment of each record line read before, when remembering; parsing 10,000 records costs a planner 0.2 s. */
    private final Map<String, Optional<String>> comments;

    Bookkeeping(ExtensionRegistry registry, Family family) {
        this(registry, family, null);
    }

    private Bookkeeping(ExtensionRegistry registry, Family family, Map<String, Optional<String>> comments) {
        this.registry = registry;
        // Records are Rampart's own lines, a comment and a RETURN, which name nothing of the host.
        this.parser = new RuleParser(registry, family, NameDatabase.builtin());
        this.printer = new RulePrinter(registry, family);
        this.comments = comments;
    }

    /** The same bookkeeping, remembering the comment of every record line it reads. */
    Bookkeeping remembering() {
        return new Bookkeeping(registry, parser.family(), new ConcurrentHashMap<>());
    }

    /** A short fingerprint of a canonical rule line. */
    static String fingerprint(String line) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * Which of a chain's rules are the recorded block (matched by fingerprint, each recorded rule
     * once); the others belong to other tools.
     */
    static boolean[] inBlock(List<String> rules, SharedBlock block) {
        Map<String, Integer> ours = new HashMap<>();
        if (block != null) {
            block.fingerprints().forEach(f -> ours.merge(f, 1, Integer::sum));
        }
        boolean[] owned = new boolean[rules.size()];
        for (int i = 0; i < rules.size(); i++) {
            String fingerprint = fingerprint(rules.get(i));
            if (ours.getOrDefault(fingerprint, 0) > 0) {
                ours.merge(fingerprint, -1, Integer::sum);
                owned[i] = true;
            }
        }
        return owned;
    }

    /** The records of staged rulesets in the table, in the order the kernel keeps them. */
    List<SavedRecord> stageRecords(LiveState.LiveTable table) {
        List<SavedRecord> records = new ArrayList<>();
        for (String line : table.rulesOf(CHAIN)) {
            String comment = comment(line, table);
            if (comment != null && comment.startsWith(STAGE + " ")) {
                records.add(new SavedRecord(line, comment));
            }
        }
        return records;
    }

    Records recorded(LiveState.LiveTable table) {
        Set<String> chains = new TreeSet<>();
        Map<String, SharedBlock> shared = new LinkedHashMap<>();
        for (String line : table.rulesOf(CHAIN)) {
            String comment = comment(line, table);
            if (comment == null) {
                continue;
            }
            String[] words = comment.split(" ");
            if (words.length >= 3 && words[0].equals(SHARED)) {
                Chain.Sharing where = words[2].equals("tail") ? Chain.Sharing.TAIL : Chain.Sharing.HEAD;
                SharedBlock block = shared.computeIfAbsent(words[1], c -> new SharedBlock(where, new ArrayList<>()));
                block.fingerprints().addAll(Arrays.asList(words).subList(3, words.length));
            } else if (words.length == 1) {
                chains.add(comment);
            }
        }
        return new Records(chains, shared);
    }

    private String comment(String line, LiveState.LiveTable table) {
        if (comments == null) {
            return parsedComment(line, table);
        }
        String key = table.table().label() + " " + line;
        Optional<String> known = comments.get(key);
        if (known == null) {
            if (comments.size() >= REMEMBERED) {
                comments.clear();
            }
            known = Optional.ofNullable(parsedComment(line, table));
            comments.put(key, known);
        }
        return known.orElse(null);
    }

    private String parsedComment(String line, LiveState.LiveTable table) {
        try {
            for (Rule rule : parser.parseLine(line, table.table())) {
                return rule.match("comment").flatMap(m -> m.option("comment")).map(Option::arg).orElse(null);
            }
        } catch (RuleSyntaxException e) {
            // Not a line Rampart wrote: it records nothing, and goes when the chain is rewritten.
        }
        return null;
    }

    /** The lines of a bookkeeping chain holding {@code records}. */
    List<String> lines(Records records) {
        List<String> comments = new ArrayList<>(records.chains());
        records.shared().forEach((chain, block) -> {
            String head = SHARED + " " + chain + " " + (block.where() == Chain.Sharing.TAIL ? "tail" : "head");
            List<String> prints = block.fingerprints();
            if (prints.isEmpty()) {
                comments.add(head);
            }
            for (int from = 0; from < prints.size(); from += FINGERPRINTS_PER_RECORD) {
                List<String> part = prints.subList(from, Math.min(prints.size(), from + FINGERPRINTS_PER_RECORD));
                comments.add(head + " " + String.join(" ", part));
            }
        });
        return comments.stream().map(this::line).toList();
    }

    /** The bookkeeping rule that holds {@code comment}. */
    String line(String comment) {
        return printer.print(new Rule(CHAIN, List.of(),
                List.of(new Match("comment", List.of(Option.of("comment", comment)))), null));
    }
}
