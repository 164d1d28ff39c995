package io.rampart.model.extension;

import io.rampart.model.value.Text;
import io.rampart.model.value.Value;

/**
 * The type of one option argument: how any spelling iptables accepts becomes the spelling
 * iptables-save prints, and how it is described to people and front ends.
 */
public interface ValueType {

    /** A short name for JSON descriptions, e.g. {@code port-range}. */
    String name();

    /** The argument as help shows it, e.g. {@code port[:port]}. */
    String syntax();

    /** The canonical spelling of {@code raw}, or an error that says why iptables would refuse it. */
    String canonical(String raw, ValueContext context) throws InvalidValueException;

    /**
     * The value a canonical spelling stands for; its {@link Value#text()} is that spelling again.
     * Text by default, for arguments nothing reads the meaning of.
     */
    default Value value(String canonical) {
        return new Text(canonical);
    }

    /**
     * The value of a canonical spelling whose names are looked up in {@code names}, as a type that
     * prints names of the host (protocols) needs; the same as {@link #value(String)} for the others.
     */
    default Value value(String canonical, HostNames names) {
        return value(canonical);
    }

    /** {@code raw} as its value, or an error that says why iptables would refuse it. */
    default Value parse(String raw, ValueContext context) throws InvalidValueException {
        return value(canonical(raw, context));
    }

    default Quoting quoting() {
        return Quoting.NONE;
    }

    /**
     * Whether a comma-separated argument stands for several rules, one per element, as
     * {@code -s 192.0.2.1,192.0.2.2} does. The canonical value is then the comma-joined list.
     */
    default boolean expandsToRules() {
        return false;
    }

    /**
     * Whether the argument may be left out, as some old-style options allow: it is the next word
     * unless there is none or it starts with {@code -} or {@code !}.
     */
    default boolean optional() {
        return false;
    }

    /** The base of a type that is more than a {@link Values.Simple} one: its name and syntax. */
    abstract class Named implements ValueType {

        private final String name;
        private final String syntax;

        protected Named(String name, String syntax) {
            this.name = name;
            this.syntax = syntax;
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final String syntax() {
            return syntax;
        }
    }
}
