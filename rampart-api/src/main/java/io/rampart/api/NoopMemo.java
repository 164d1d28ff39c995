package io.rampart.api;

import io.rampart.api.PendingConfirmation.Target;
import io.rampart.config.InputDigest;
import io.rampart.config.ValueResolver;
import io.rampart.model.Family;
import io.rampart.model.extension.HostNames;
import io.rampart.model.extensions.StandardExtensions;
import io.rampart.reconcile.DesiredState;
import io.rampart.reconcile.OwnChains;
import io.rampart.reconcile.Planner;
import io.rampart.syntax.SavedState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The fixed point of the last verified apply of one target (namespace or host, and family): what
 * the file's desired state was computed from, each input with a digest of its value then, and a
 * digest of the parts of the kernel's dump the plan reads. When every input and those parts are
 * as recorded, the plan is empty by construction, and a no-op apply need not read the file again:
 * config management re-applies an unchanged file every few minutes, and at 100,000 rules reading
 * it costs seconds where the kernel's dump costs one.
 *
 * <p>The plan reads, per table the file has or that holds {@value OwnChains#BOOKKEEPING}: the
 * bookkeeping chain's records, and each declared chain's existence, policy and rules (a shared
 * chain's foreign rules among them, as the block's place depends on them). Chains Rampart removes
 * are only those its records name and the file no longer declares, and on a fixed point the records
 * are the declarations. Other programs' chains are not read, so their changes keep the memo.
 *
 * <p>The memo is only a way not to read: any doubt (an input changed or unreadable, a memo
 * corrupt, foreign-owned or of another build) is a full read, which writes the memo again.
 */
public final class NoopMemo {

    public static final String ROOT = "/run/rampart/memo";

    private static final String MAGIC = "rampart-noop-memo 1";
    private static final List<Path> NAME_FILES = List.of(Path.of("/etc/protocols"), Path.of("/etc/services"));
    private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path root;
    private final Target target;
    /**
     * The name databases as the command found them at its start: a process reads them once, so one
     * changed after that and before the memo is written must not be recorded as what the file used.
     */
    private final Map<Path, String> namesBefore = new LinkedHashMap<>();
    /** The resolver's answers a check got, each handed once to the full read after a miss. */
    private final Map<String, Answer> asked = Collections.synchronizedMap(new LinkedHashMap<>());

    NoopMemo(Path root, Target target) {
        this.root = root;
        this.target = target;
        NAME_FILES.forEach(names -> namesBefore.put(names, InputDigest.of(names)));
    }

    /** The memo of {@code target}'s rules under {@value #ROOT}. */
    public static NoopMemo of(Target target) {
        return new NoopMemo(Path.of(ROOT), target);
    }

    /** The memo's file. */
    public Path file() {
        return root.resolve(target.key());
    }

    /**
     * A no-op apply known without reading the file: its warnings as the full read printed them, to be
     * printed first, and then the apply, which is refused as a full one is while an apply of the
     * same rules awaits confirmation.
     */
    public static final class Hit {

        private final String warnings;
        private final java.util.function.Supplier<Reconciliation.Applied> apply;

        private Hit(String warnings, java.util.function.Supplier<Reconciliation.Applied> apply) {
            this.warnings = warnings;
            this.apply = apply;
        }

        public String warnings() {
            return warnings;
        }

        /** The no-op apply's result. */
        public Reconciliation.Applied apply() {
            return apply.get();
        }
    }

    /**
     * A no-op apply of {@code file} when the memo holds: every recorded input is as recorded, and the
     * dump {@code kernel} read ahead under the writers' lock has the recorded parts. Empty otherwise;
     * the dump, when taken, is then the one the full apply plans on.
     *
     * @param familyGiven whether -4 or -6 was given
     * @param resolver    asked again for every apply-time value the file used
     * @param names       asked again for every user, group, host or label the file named
     * @param inputsHold  run once every recorded input holds, before the dump is waited for
     */
    public Optional<Hit> check(Path file, boolean familyGiven, Reconciliation kernel, ValueResolver resolver,
                               HostNames names, Runnable inputsHold) {
        Optional<List<String[]>> read = read();
        if (read.isEmpty()) {
            return Optional.empty();
        }
        List<String[]> lines = read.get();
        String[] expected = header(file, familyGiven).split("\n");
        if (lines.size() < expected.length) {
            return Optional.empty();
        }
        for (int i = 0; i < expected.length; i++) {
            if (!String.join("\t", Arrays.stream(lines.get(i)).map(NoopMemo::encode).toList()).equals(expected[i])) {
                return Optional.empty();
            }
        }
        Optional<Recorded> recorded = holding(lines.subList(expected.length, lines.size()), resolver, names);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        inputsHold.run();
        long started = System.nanoTime(); // as a full apply's time, which starts once the file is read
        Optional<String> dump = kernel.writersDumpAhead(target.family());
        if (dump.isEmpty()) {
            return Optional.empty();
        }
        SavedState state = SavedState.parse(dump.get());
        if (!kernelDigest(state, recorded.get().declared()).equals(recorded.get().kernel())) {
            return Optional.empty();
        }
        String printed;
        try {
            printed = unzip(recorded.get().warnings());
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(new Hit(printed, () -> kernel.unchanged(target.family(), file.toString(),
                state.warnings(), started)));
    }

    /** The memo's account of the kernel: the chains declared by table, the digest of the dump, and the warnings. */
    private record Recorded(Map<String, Set<String>> declared, String kernel, String warnings) {
    }

    /** The memo's record after its header, when every input it names is as recorded; empty otherwise. */
    private Optional<Recorded> holding(List<String[]> lines, ValueResolver resolver, HostNames names) {
        Map<String, Set<String>> declared = new TreeMap<>();
        String kernel = null;
        String warnings = null;
        try {
            for (String[] line : lines) {
                boolean holds = switch (line[0]) {
                    case "input" -> InputDigest.of(Path.of(line[1])).equals(line[2]);
                    case "resolve" -> resolved(resolver, line[1], line[2], Family.valueOf(line[3])).equals(line[4]);
                    case "name" -> RecordingNames.ask(names, line[1], line[2]).equals(line[3]);
                    case "table" -> declared.computeIfAbsent(line[1], t -> new TreeSet<>()) != null;
                    case "chain" -> declared.computeIfAbsent(line[1], t -> new TreeSet<>()).add(line[2]);
                    case "kernel" -> (kernel = line[1]) != null;
                    case "warnings" -> (warnings = line[1]) != null;
                    default -> false;
                };
                if (!holds) {
                    return Optional.empty();
                }
            }
        } catch (RuntimeException unanswered) {
            return Optional.empty(); // a lookup that failed: the full read reports it where the file uses it
        }
        return kernel == null || warnings == null ? Optional.empty() : Optional.of(new Recorded(declared, kernel,
                warnings));
    }

    /** What a full read of {@code file} depends on, recorded as it reads; see {@link Reading#record}. */
    public Reading reading(Path file, boolean familyGiven) {
        return new Reading(file, familyGiven);
    }

    /**
     * What one full read of the file depended on. Its resolver, names, warnings and inputs are to be
     * handed to the reading in place of the plain ones; after an apply whose result is verified,
     * {@link #record} writes the memo.
     */
    public final class Reading {

        private final Path file;
        private final boolean familyGiven;
        /** What each input was as the reading read it ({@code RulesetSource.inputDigests}). */
        private final Map<Path, String> inputs = Collections.synchronizedMap(new LinkedHashMap<>());
        private final Map<String, String> answers = Collections.synchronizedMap(new LinkedHashMap<>());
        private final StringBuilder warned = new StringBuilder();
        /** An input that gave two answers during one read: nothing to record. */
        private volatile boolean inconsistent;

        private Reading(Path file, boolean familyGiven) {
            this.file = file;
            this.familyGiven = familyGiven;
        }

        /** {@code real}, each answer recorded. */
        public ValueResolver resolver(ValueResolver real) {
            return new ValueResolver() {
                @Override
                public List<String> interfaceAddresses(String iface, Family family) throws ResolveException {
                    return answer("iface", iface, family, () -> real.interfaceAddresses(iface, family));
                }

                @Override
                public List<String> hostAddresses(String host, Family family) throws ResolveException {
                    return answer("host", host, family, () -> real.hostAddresses(host, family));
                }
            };
        }

        private List<String> answer(String kind, String name, Family family, Lookup lookup)
                throws ValueResolver.ResolveException {
            Answer known = asked.remove(String.join("\t", kind, name, family.name()));
            Answer answer;
            if (known != null) {
                answer = known;
            } else {
                try {
                    answer = new Answer(lookup.get(), null);
                } catch (ValueResolver.ResolveException e) {
                    answer = new Answer(null, e);
                }
            }
            answered(String.join("\t", "resolve", encode(kind), encode(name), family.name()), answer.spelt());
            if (answer.failure() != null) {
                throw answer.failure();
            }
            return answer.addresses();
        }

        /** {@code real}, the answers that are not fixed for the whole run (users, groups, hosts, tables, labels) recorded. */
        public HostNames names(HostNames real) {
            return new RecordingNames(real, (method, argument, answer) ->
                    answered(String.join("\t", "name", method, encode(argument)), answer));
        }

        /** {@code real}, what it is given recorded. */
        public Consumer<String> warnings(Consumer<String> real) {
            return text -> {
                synchronized (warned) {
                    warned.append(text);
                }
                real.accept(text);
            };
        }

        /** Records the files and directories the reading depended on, each as it read them ({@code RulesetSource.inputDigests}). */
        public void inputs(Map<Path, String> read) {
            inputs.putAll(read);
        }

        private void answered(String key, String answer) {
            String before = answers.putIfAbsent(key, encode(answer));
            if (before != null && !before.equals(encode(answer))) {
                inconsistent = true;
            }
        }

        /**
         * Writes the memo after {@code result}, an apply of {@code desired} (the one family the file
         * was read for) by {@code kernel}, when it planned nothing on the dump it read: that dump is
         * then known to hold {@code desired}. After a write the next apply reads the file and records
         * the memo: working out what the write left and planning it again took 0.45 s at 100,000
         * rules, a fifth of a one-rule change. Skipped silently when the memo cannot be written.
         */
        public void record(DesiredState desired, Reconciliation kernel, Reconciliation.Applied result) {
            if (inconsistent || desired.family() != target.family() || result.armed().isPresent()
                    || result.applied().written() || result.applied().replans() > 0) {
                return;
            }
            Optional<String> dump = kernel.lastApplyPlannedOn();
            if (dump.isEmpty()) {
                return;
            }
            SavedState held = SavedState.parse(dump.get());
            Map<String, Set<String>> declared = new TreeMap<>();
            desired.tables().forEach((table, want) -> {
                Set<String> chains = declared.computeIfAbsent(table.label(), t -> new TreeSet<>());
                want.chains().forEach(chain -> chains.add(chain.name()));
            });
            Map<Path, String> all = new LinkedHashMap<>();
            for (Map.Entry<Path, String> names : namesBefore.entrySet()) {
                if (!InputDigest.of(names.getKey()).equals(names.getValue())) {
                    return;
                }
                all.put(names.getKey(), names.getValue());
            }
            synchronized (inputs) {
                all.putAll(inputs);
            }
            if (all.size() == NAME_FILES.size() || all.containsValue(InputDigest.CHANGED)) {
                return;
            }
            StringBuilder text = new StringBuilder(MAGIC).append('\n').append(header(file, familyGiven));
            all.forEach((input, digest) -> text.append("input\t").append(encode(input.toString())).append('\t')
                    .append(digest).append('\n'));
            synchronized (answers) {
                answers.forEach((key, answer) -> text.append(key).append('\t').append(answer).append('\n'));
            }
            declared.forEach((table, chains) -> {
                text.append("table\t").append(encode(table)).append('\n');
                chains.forEach(chain -> text.append("chain\t").append(encode(table)).append('\t').append(encode(chain))
                        .append('\n'));
            });
            text.append("kernel\t").append(kernelDigest(held, declared)).append('\n');
            synchronized (warned) {
                text.append("warnings\t").append(encode(zip(warned.toString()))).append('\n');
            }
            String sum = InputDigest.sha256(text.toString().getBytes(StandardCharsets.UTF_8));
            text.append("sum\t").append(sum).append('\n');
            write(text.toString());
        }
    }

    @FunctionalInterface
    private interface Lookup {
        List<String> get() throws ValueResolver.ResolveException;
    }

    /** What the desired state hangs on besides its inputs: Rampart's build, the file as named, the family options. */
    private String header(Path file, boolean familyGiven) {
        return "build\t" + encode(build()) + "\n"
                + "file\t" + encode(file.toString()) + "\t" + encode(file.toAbsolutePath().normalize().toString())
                + "\n"
                + "family\t" + target.family().name() + "\t" + familyGiven + "\n";
    }

    /** The memo's lines split at tabs, its fields decoded; empty when it is missing, foreign-owned, open to others or corrupt. */
    private Optional<List<String[]>> read() {
        Path file = file();
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || !ownOnly(file) || !ownOnly(root)) {
                return Optional.empty();
            }
            String text = Files.readString(file);
            int sum = text.lastIndexOf("sum\t");
            if (!text.startsWith(MAGIC + "\n") || sum < 0
                    || !text.substring(sum).equals("sum\t" + InputDigest.sha256(text.substring(0, sum)
                    .getBytes(StandardCharsets.UTF_8)) + "\n")) {
                return Optional.empty();
            }
            List<String[]> lines = new ArrayList<>();
            for (String line : text.substring(MAGIC.length() + 1, sum).split("\n")) {
                String[] fields = line.split("\t", -1);
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = URLDecoder.decode(fields[i], StandardCharsets.UTF_8);
                }
                lines.add(fields);
            }
            return Optional.of(lines);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code path} belongs to this process's user and nobody else may write it (nor read a file). */
    private static boolean ownOnly(Path path) throws IOException {
        Object owner = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return owner.equals(self) && (mode & 0077) == 0;
    }

    /** Atomically, as a root-only file; nothing when the directory cannot be made or written. */
    private void write(String text) {
        Path temp = null;
        try {
            Files.createDirectories(root, DIR_MODE);
            temp = Files.createTempFile(root, target.key(), ".new", FILE_MODE);
            Files.writeString(temp, text);
            Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // Not root, or no /run/rampart: the next apply reads the file, as it would without a memo.
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // left for the boot to clear, as /run is a tmpfs
                }
            }
        }
    }

    /**
     * The parts of a dump the plan reads (see the class comment), in an order that does not depend
     * on how the dump orders tables and chains: iptables-save's comment lines and counters aside.
     */
    static String kernelDigest(SavedState state, Map<String, Set<String>> declared) {
        StringBuilder text = new StringBuilder();
        state.warnings().forEach(warning -> text.append("warning ").append(warning).append('\n'));
        Map<String, SavedState.SavedTable> tables = new TreeMap<>();
        state.tables().stream().filter(table -> table.table().isPresent())
                .forEach(table -> tables.put(table.label(), table));
        tables.forEach((label, table) -> {
            Set<String> chains = declared.get(label);
            if (chains == null && !table.has(OwnChains.BOOKKEEPING)) {
                return;
            }
            text.append('*').append(label).append('\n');
            Set<String> read = new TreeSet<>(chains == null ? Set.of() : chains);
            read.add(OwnChains.BOOKKEEPING);
            for (String chain : read) {
                SavedState.SavedChain saved = table.chains().get(chain);
                if (saved == null) {
                    text.append('!').append(chain).append('\n');
                    continue;
                }
                text.append(':').append(chain).append(' ')
                        .append(saved.policy() == null ? "-" : saved.policy().name()).append('\n');
                table.rulesOf(chain).forEach(rule -> text.append(rule).append('\n'));
            }
        });
        return InputDigest.sha256(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code resolver}'s answer now, spelt as recorded; kept for the full read that follows a miss,
     * which then asks no process twice.
     */
    private String resolved(ValueResolver resolver, String kind, String name, Family family) {
        Answer answer;
        try {
            answer = new Answer(kind.equals("iface") ? resolver.interfaceAddresses(name, family)
                    : resolver.hostAddresses(name, family), null);
        } catch (ValueResolver.ResolveException e) {
            answer = new Answer(null, e);
        }
        asked.put(String.join("\t", kind, name, family.name()), answer);
        return answer.spelt();
    }

    /** What the resolver said: addresses, or why it could not tell. */
    private record Answer(List<String> addresses, ValueResolver.ResolveException failure) {

        String spelt() {
            return failure == null ? "ok:" + String.join(",", addresses) : "error:" + failure.getMessage();
        }
    }

    /**
     * Rampart's version and the files its code was loaded from (size and time), so that an upgrade,
     * or a rebuild, never reuses a memo of another build.
     */
    static String build() {
        StringBuilder out = new StringBuilder();
        Properties properties = new Properties();
        try (InputStream in = NoopMemo.class.getResourceAsStream("/rampart-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        out.append(properties.getProperty("version", "unknown"));
        Set<String> sources = new TreeSet<>();
        for (Class<?> code : List.of(NoopMemo.class, ValueResolver.class, Planner.class, SavedState.class,
                StandardExtensions.class)) {
            URL url = code.getResource(code.getSimpleName() + ".class");
            if (url == null) {
                continue;
            }
            String where = url.toString();
            try {
                Path file = where.startsWith("jar:file:")
                        ? Path.of(java.net.URI.create(where.substring(4, where.indexOf("!/"))))
                        : Path.of(url.toURI());
                sources.add(file + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis());
            } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
                sources.add(where + " unreadable");
            }
        }
        sources.forEach(source -> out.append(' ').append(source));
        return out.toString();
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String zip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static String unzip(String zipped) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(zipped)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
