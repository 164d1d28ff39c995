package io.rampart.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The xtables tables and the hooks their built-in chains are attached to. */
public enum Table {
    RAW(EnumSet.of(Hook.PREROUTING, Hook.OUTPUT)),
    MANGLE(EnumSet.allOf(Hook.class)),
    NAT(EnumSet.of(Hook.PREROUTING, Hook.INPUT, Hook.OUTPUT, Hook.POSTROUTING)),
    FILTER(EnumSet.of(Hook.INPUT, Hook.FORWARD, Hook.OUTPUT)),
    SECURITY(EnumSet.of(Hook.INPUT, Hook.FORWARD, Hook.OUTPUT));

    private final Set<Hook> hooks;
    /** Made once: the tracer names the table in every step it records. */
    private final String label;

    Table(Set<Hook> hooks) {
        this.hooks = hooks;
        this.label = name().toLowerCase(Locale.ROOT);
    }

    /** The name iptables uses, e.g. {@code filter}. */
    public String label() {
        return label;
    }

    public Set<Hook> hooks() {
        return hooks;
    }

    /** Built-in chains in the order iptables-save lists them. */
    public List<String> builtinChains() {
        return hooks.stream().map(Hook::name).toList();
    }

    public boolean isBuiltinChain(String chain) {
        return builtinHook(chain).isPresent();
    }

    public Optional<Hook> builtinHook(String chain) {
        for (Hook hook : hooks) {
            if (hook.name().equals(chain)) {
                return Optional.of(hook);
            }
        }
        return Optional.empty();
    }

    public static Optional<Table> byLabel(String label) {
        for (Table table : values()) {
            if (table.label().equals(label)) {
                return Optional.of(table);
            }
        }
        return Optional.empty();
    }
}
