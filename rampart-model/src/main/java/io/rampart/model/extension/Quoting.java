package io.rampart.model.extension;

/** How iptables-save prints a value. */
public enum Quoting {
    /** Printed as it is. */
    NONE,
    /** Quoted and escaped only when it holds characters beyond {@code [A-Za-z0-9_-]}, like xtables_save_string. */
    WHEN_NEEDED,
    /** Always between double quotes, never escaped (u32, bpf). */
    ALWAYS,
    /** A blank, then as {@link #WHEN_NEEDED}: nfacct saves its name after two blanks. */
    WHEN_NEEDED_AFTER_BLANK
}
