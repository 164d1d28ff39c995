package io.rampart.model.extensions;

import io.rampart.model.extension.CNumbers;
import io.rampart.model.extension.InvalidValueException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A classic BPF program in the {@code --bytecode} notation: read as iptables reads it (sscanf,
 * so numbers wrap to their field width) and checked as the kernel checks a socket filter.
 */
final class ClassicBpf {

    /** XT_BPF_MAX_NUM_INSTR. */
    private static final int MAX_INSTRUCTIONS = 64;
    private static final int MEMORY_SLOTS = 16;
    private static final long ANCILLARY_BASE = 0xfffff000L;

    /** The opcodes the kernel accepts in a classic program. */
    private static final Set<Integer> VALID_CODES = Set.of(
            0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, // add sub mul div mod (K, X)
            0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, // and or xor lsh rsh (K, X)
            0x84, // neg
            0x20, 0x28, 0x30, 0x80, 0x40, 0x48, 0x50, 0x00, 0x60, // ld abs w/h/b, len, ind w/h/b, imm, mem
            0x81, 0xb1, 0x01, 0x61, 0x02, 0x03, 0x07, 0x87, // ldx len, msh, imm, mem; st; stx; tax; txa
            0x06, 0x16, // ret k, ret a
            0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d); // ja, jeq jge jgt jset (K, X)

    private record Instruction(int code, int jt, int jf, long k) {
    }

    private ClassicBpf() {
    }

    /** The program as iptables-save prints it, or why iptables or the kernel refuses it. */
    static String canonical(String text) throws InvalidValueException {
        List<Instruction> program = read(text);
        check(program);
        StringBuilder out = new StringBuilder().append(program.size());
        for (Instruction insn : program) {
            out.append(',').append(insn.code()).append(' ').append(insn.jt()).append(' ').append(insn.jf())
                    .append(' ').append(insn.k());
        }
        return out.toString();
    }

    private static List<Instruction> read(String text) throws InvalidValueException {
        Scanner head = new Scanner(text, 0);
        Long length = head.number(16);
        if (length == null || head.at >= text.length() || text.charAt(head.at) != ',') {
            throw new InvalidValueException("the program must start with its instruction count and a comma");
        }
        if (length == 0) {
            throw new InvalidValueException("a program needs at least one instruction");
        }
        if (length > MAX_INSTRUCTIONS) {
            throw new InvalidValueException("a program has at most " + MAX_INSTRUCTIONS + " instructions");
        }
        List<Instruction> program = new ArrayList<>();
        int comma = text.indexOf(',');
        while (comma >= 0 && comma + 1 < text.length()) {
            if (program.size() >= length) {
                throw new InvalidValueException("the program has more instructions than its count " + length);
            }
            Scanner scanner = new Scanner(text, comma + 1);
            Long code = scanner.number(16);
            Long jt = code == null ? null : scanner.number(8);
            Long jf = jt == null ? null : scanner.number(8);
            Long k = jf == null ? null : scanner.number(32);
            if (k == null) {
                throw new InvalidValueException("instruction " + program.size() + " is not `code jt jf k'");
            }
            program.add(new Instruction(code.intValue(), jt.intValue(), jf.intValue(), k));
            comma = text.indexOf(',', comma + 1);
        }
        if (program.size() != length) {
            throw new InvalidValueException("the program has fewer instructions than its count " + length);
        }
        return program;
    }

    /** What the kernel's classic BPF checker refuses. */
    private static void check(List<Instruction> program) throws InvalidValueException {
        int length = program.size();
        for (int pc = 0; pc < length; pc++) {
            Instruction insn = program.get(pc);
            String where = "instruction " + pc + ": ";
            if (!VALID_CODES.contains(insn.code())) {
                throw new InvalidValueException(where + "unknown opcode " + insn.code());
            }
            int code = insn.code();
            boolean memory = code == 0x60 || code == 0x61 || code == 0x02 || code == 0x03;
            if (memory && insn.k() >= MEMORY_SLOTS) {
                throw new InvalidValueException(where + "memory slot " + insn.k() + " does not exist (0-15)");
            }
            if ((code == 0x34 || code == 0x94) && insn.k() == 0) {
                throw new InvalidValueException(where + "division by zero");
            }
            if ((code == 0x64 || code == 0x74) && insn.k() >= 32) {
                throw new InvalidValueException(where + "shift by " + insn.k() + " (at most 31)");
            }
            boolean absoluteLoad = code == 0x20 || code == 0x28 || code == 0x30;
            if (absoluteLoad && insn.k() >= ANCILLARY_BASE && !validAncillary(insn.k() - ANCILLARY_BASE)) {
                throw new InvalidValueException(where + "unknown ancillary load " + insn.k());
            }
            if (code == 0x05 && insn.k() >= length - pc - 1) {
                throw new InvalidValueException(where + "jump beyond the end of the program");
            }
            if (isConditionalJump(code) && (pc + insn.jt() + 1 >= length || pc + insn.jf() + 1 >= length)) {
                throw new InvalidValueException(where + "jump beyond the end of the program");
            }
        }
        int last = program.get(length - 1).code();
        if (last != 0x06 && last != 0x16) {
            throw new InvalidValueException("the last instruction must return (code 6 or 22)");
        }
        checkMemoryReads(program);
    }

    private static boolean validAncillary(long offset) {
        return offset % 4 == 0 && offset < 64;
    }

    private static boolean isConditionalJump(int code) {
        return (code & 0x07) == 0x05 && code != 0x05;
    }

    /** The kernel refuses a read of a memory slot that some path reaches before any store to it. */
    private static void checkMemoryReads(List<Instruction> program) throws InvalidValueException {
        int all = (1 << MEMORY_SLOTS) - 1;
        int[] validAt = new int[program.size()];
        java.util.Arrays.fill(validAt, all);
        int valid = 0;
        for (int pc = 0; pc < program.size(); pc++) {
            Instruction insn = program.get(pc);
            valid &= validAt[pc];
            int code = insn.code();
            if (code == 0x02 || code == 0x03) {
                valid |= 1 << insn.k();
            } else if (code == 0x60 || code == 0x61) {
                if ((valid & (1 << insn.k())) == 0) {
                    throw new InvalidValueException("instruction " + pc + ": memory slot " + insn.k()
                            + " is read before it is written");
                }
            } else if (code == 0x05) {
                validAt[pc + 1 + (int) insn.k()] &= valid;
                valid = all;
            } else if (isConditionalJump(code)) {
                validAt[pc + 1 + insn.jt()] &= valid;
                validAt[pc + 1 + insn.jf()] &= valid;
                valid = all;
            }
        }
    }

    /** Reads the fields of one sscanf call in turn. */
    private static final class Scanner {
        private final String text;
        private int at;

        Scanner(String text, int at) {
            this.text = text;
            this.at = at;
        }

        /** The next {@code %u}-style field of {@code bits} bits, or null when it has no digits. */
        Long number(int bits) {
            CNumbers.Read read = CNumbers.scanf(text, at, 10, bits);
            if (!read.found()) {
                return null;
            }
            at = read.end();
            return read.value();
        }
    }
}
