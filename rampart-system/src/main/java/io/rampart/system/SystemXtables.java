package io.rampart.system;

import io.rampart.model.Family;
import io.rampart.model.Table;
import io.rampart.reconcile.Xtables;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The reconciler's view of the kernel, through the system's iptables-save and iptables-restore. */
public final class SystemXtables implements Xtables {

    /** The chain names passed to nft as they are: what nft reads as one plain name. */
    private static final Pattern NFT_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,28}");
    private static final Pattern RULE_HANDLE = Pattern.compile(" # handle ([0-9]{1,19})$");

    private final Netns netns;
    private final WriterLock.Waiting waiting;
    private final Optional<EarlySave> early;

    /** Writers wait for each other as {@link WriterLock.Waiting#standard()} says. */
    public SystemXtables(Netns netns) {
        this(netns, WriterLock.Waiting.standard());
    }

    public SystemXtables(Netns netns, WriterLock.Waiting waiting) {
        this(netns, waiting, Optional.empty());
    }

    /** The first save of {@code early}'s family is the dump {@code early} started. */
    public SystemXtables(Netns netns, WriterLock.Waiting waiting, Optional<EarlySave> early) {
        this.netns = netns;
        this.waiting = waiting;
        this.early = early;
    }

    @Override
    public Hold hold(Family family) {
        return WriterLock.hold(netns, family, waiting)::close;
    }

    @Override
    public String save(Family family) {
        return early.flatMap(dump -> dump.take(family)).orElseGet(() -> new Iptables(netns, family).saveWithComments());
    }

    @Override
    public String saveWithCounters(Family family) {
        return new Iptables(netns, family).saveWithCounters();
    }

    /** {@code iptables -t TABLE -S CHAIN}; any failure (no such chain, above all) leaves it to a full read. */
    @Override
    public Optional<String> listChain(Family family, Table table, String chain) {
        ProcessResult result = new Iptables(netns, family).run(table, List.of("-S", chain));
        return result.ok() ? Optional.of(result.stdout()) : Optional.empty();
    }

    /** {@code nft -a list chain}: the number after each rule's {@code # handle}; any failure tells nothing. */
    @Override
    public Optional<List<Long>> ruleHandles(Family family, Table table, String chain) {
        if (!NFT_NAME.matcher(chain).matches()) {
            return Optional.empty();
        }
        ProcessResult result = netns.run(List.of("nft", "-a", "list", "chain", family == Family.IPV4 ? "ip" : "ip6",
                table.label(), chain), "");
        return result.ok() ? handles(result.stdout(), chain) : Optional.empty();
    }

    /** The rule handles of {@code nft -a list chain}'s text for {@code chain}; empty when it is not that chain's. */
    static Optional<List<Long>> handles(String listed, String chain) {
        List<Long> handles = new ArrayList<>();
        boolean inChain = false;
        for (String line : listed.split("\n")) {
            String text = line.strip();
            if (!inChain) {
                inChain = text.startsWith("chain " + chain + " {");
                continue;
            }
            if (text.equals("}")) {
                return Optional.of(handles);
            }
            Matcher handle = RULE_HANDLE.matcher(text);
            if (handle.find()) {
                handles.add(Long.parseLong(handle.group(1)));
            } else if (!text.startsWith("type ") && !text.startsWith("policy ")) {
                return Optional.empty(); // a line that is no rule of this chain: nothing is certain
            }
        }
        return Optional.empty();
    }

    @Override
    public RestoreResult restore(Family family, String script) {
        // A write outside any writer's hold still waits its turn for the write itself.
        try (Hold held = hold(family)) {
            ProcessResult result = new Iptables(netns, family).restore(script, true);
            // `ip netns exec' becomes iptables-restore (it execs, not forks): the id is the writer's.
            return new RestoreResult(result.ok(), result.stderr(), OptionalLong.of(result.pid()));
        }
    }
}
