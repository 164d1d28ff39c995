package io.rampart.model.extension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This host's names as iptables resolves them: its own table of protocol names first, then the
 * system's {@code /etc/protocols} and {@code /etc/services}, which is what getprotobyname(3) and
 * getservbyname(3) read; users and groups from {@code /etc/passwd} and {@code /etc/group}; host
 * names through the JDK's resolver.
 */
public final class NameDatabase implements HostNames {

    /** iptables' built-in protocol names (xtables_chain_protos), in its lookup order. */
    private static final List<Map.Entry<String, Integer>> BUILTIN_PROTOCOLS = List.of(
            Map.entry("tcp", 6), Map.entry("sctp", 132), Map.entry("udp", 17), Map.entry("udplite", 136),
            Map.entry("icmp", 1), Map.entry("ipv6-icmp", 58), Map.entry("icmpv6", 58), Map.entry("esp", 50),
            Map.entry("ah", 51), Map.entry("mobility-header", 135), Map.entry("ipv6-mh", 135), Map.entry("mh", 135),
            Map.entry("dccp", 33), Map.entry("ipcomp", 108), Map.entry("all", 0));

    private static final NameDatabase SYSTEM = new NameDatabase(Path.of("/etc/protocols"), Path.of("/etc/services"));
    private static final Path USERS = Path.of("/etc/passwd");
    private static final Path GROUPS = Path.of("/etc/group");
    private static final Path IPROUTE2 = Path.of("/etc/iproute2");
    /** Where iptables (libnetfilter_conntrack) reads label names: {@code BIT NAME} lines, {@code #} comments. */
    private static final Path LABELS = Path.of("/etc/xtables/connlabel.conf");
    private static final int MAX_LABEL = 127;

    private final Map<String, Integer> protocolByName = new HashMap<>();
    private final Map<Integer, String> protocolByNumber = new HashMap<>();
    private final Map<String, Integer> serviceByNameAndProto = new HashMap<>();
    /** iproute2's tables, each read once, when a rule first names one of its entries. */
    private final Map<String, List<Map.Entry<Long, String>>> iproute2Tables = new ConcurrentHashMap<>();

    /** Whether users, groups, host names, iproute2's tables and labels are this host's (else none). */
    private final boolean host;

    NameDatabase(Path protocols, Path services) {
        this(protocols, services, true);
    }

    private NameDatabase(Path protocols, Path services, boolean host) {
        this.host = host;
        if (host) {
            readProtocols(protocols);
            readServices(services);
        }
    }

    private static final NameDatabase BUILTIN = new NameDatabase(null, null, false);

    /** Numbers and iptables' own protocol names only: nothing read from this host. */
    public static NameDatabase builtin() {
        return BUILTIN;
    }

    /** This host's names: iptables' own protocols, /etc/protocols, /etc/services, /etc/passwd, /etc/group, DNS. */
    public static NameDatabase system() {
        return SYSTEM;
    }

    /**
     * The protocol number for a name (any case) or a number (as xtables_parse_protocol reads it),
     * or empty when iptables would not know it.
     */
    @Override
    public Optional<Integer> protocolNumber(String text) {
        OptionalLong number = CNumbers.xtablesWhole(text, 0, 255);
        if (number.isPresent()) {
            return Optional.of((int) number.getAsLong());
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Integer> entry : BUILTIN_PROTOCOLS) {
            if (entry.getKey().equals(lower)) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.ofNullable(protocolByName.get(lower));
    }

    /**
     * The protocol number for a name spelt exactly (iptables' own table, then the system's names and
     * aliases, case-sensitive), as extensions look protocols up with getprotobyname(3).
     */
    @Override
    public Optional<Integer> protocolNumberOfExactName(String name) {
        for (Map.Entry<String, Integer> entry : BUILTIN_PROTOCOLS) {
            if (entry.getKey().equals(name)) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.ofNullable(protocolByName.get(name));
    }

    /** The name iptables-save prints for a protocol number: its own table first, then the system's. */
    @Override
    public String protocolName(int number) {
        for (Map.Entry<String, Integer> entry : BUILTIN_PROTOCOLS) {
            if (entry.getValue() == number) {
                return entry.getKey();
            }
        }
        return protocolByNumber.getOrDefault(number, Integer.toString(number));
    }

    /** The number of a name in the system's protocol list only, case-sensitive, as getprotobyname(3). */
    @Override
    public Optional<Integer> systemProtocolNumber(String name) {
        return Optional.ofNullable(protocolByName.get(name));
    }

    /** The system's name for a protocol number, as getprotobynumber(3). */
    @Override
    public Optional<String> systemProtocolName(int number) {
        return Optional.ofNullable(protocolByNumber.get(number));
    }

    /** The port of a service name for a protocol ({@code tcp}, {@code udp}, ...). */
    @Override
    public Optional<Integer> servicePort(String name, String protocol) {
        return Optional.ofNullable(serviceByNameAndProto.get(name + "/" + protocol));
    }

    @Override
    public Optional<Long> userId(String name) {
        return host ? idOfName(USERS, name) : Optional.empty();
    }

    @Override
    public Optional<Long> groupId(String name) {
        return host ? idOfName(GROUPS, name) : Optional.empty();
    }

    /** The id of a name in an /etc/passwd- or /etc/group-style file, as getpwnam/getgrnam find it. */
    private static Optional<Long> idOfName(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.split(":", -1);
                if (fields.length > 2 && fields[0].equals(name) && fields[2].matches("\\d{1,10}")) {
                    return Optional.of(Long.parseLong(fields[2]));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public Optional<List<byte[]>> addresses(String name) {
        if (!host) {
            return Optional.empty();
        }
        try {
            List<byte[]> found = new ArrayList<>();
            for (InetAddress address : InetAddress.getAllByName(name)) {
                found.add(address.getAddress());
            }
            return Optional.of(found);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<Map.Entry<Long, String>> iproute2Names(String table) {
        return host ? iproute2Tables.computeIfAbsent(table, name -> readIproute2(IPROUTE2.resolve(name))) : List.of();
    }

    /** An iproute2 table as xtables_lmap_init reads it: lines that do not start with a number are skipped. */
    private static List<Map.Entry<Long, String>> readIproute2(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            // Without the file only numbers are understood, as with iptables.
            return List.of();
        }
        List<Map.Entry<Long, String>> names = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.replaceFirst("#.*", "").trim().split("\\s+");
            OptionalLong id = fields.length < 2 ? OptionalLong.empty()
                    : CNumbers.xtablesWhole(fields[0], 0, CNumbers.UINT32_MAX);
            if (id.isPresent()) {
                names.add(Map.entry(id.getAsLong(), fields[1]));
            }
        }
        return List.copyOf(names);
    }

    /** Read on each use, as libnetfilter_conntrack does: the first name of a bit wins. */
    @Override
    public Map<Integer, String> connectionLabels() {
        if (!host) {
            return Map.of();
        }
        Map<Integer, String> names = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(LABELS)) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length < 2 || fields[0].startsWith("#")) {
                    continue;
                }
                OptionalLong bit = CNumbers.xtablesWhole(fields[0], 0, MAX_LABEL);
                if (bit.isPresent()) {
                    names.putIfAbsent((int) bit.getAsLong(), fields[1]);
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return names;
    }

    private void readProtocols(Path file) {
        for (String[] fields : records(file)) {
            if (fields.length < 2 || !fields[1].chars().allMatch(Character::isDigit)) {
                continue;
            }
            int number = Integer.parseInt(fields[1]);
            protocolByName.putIfAbsent(fields[0], number);
            protocolByNumber.putIfAbsent(number, fields[0]);
            for (int i = 2; i < fields.length; i++) {
                protocolByName.putIfAbsent(fields[i], number);
            }
        }
    }

    private void readServices(Path file) {
        for (String[] fields : records(file)) {
            if (fields.length < 2 || fields[1].indexOf('/') < 0) {
                continue;
            }
            String[] portProto = fields[1].split("/", 2);
            if (!portProto[0].chars().allMatch(Character::isDigit) || portProto[0].isEmpty()) {
                continue;
            }
            int port = Integer.parseInt(portProto[0]);
            serviceByNameAndProto.putIfAbsent(fields[0] + "/" + portProto[1], port);
            for (int i = 2; i < fields.length; i++) {
                serviceByNameAndProto.putIfAbsent(fields[i] + "/" + portProto[1], port);
            }
        }
    }

    /**
     * Each line's fields, without comments and blank lines. Read without regular expressions: this
     * runs at the start of most commands, while the JVM still interprets.
     */
    private static List<String[]> records(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            // Without the file only numbers and iptables' own names resolve, as with iptables itself.
            return List.of();
        }
        List<String[]> records = new ArrayList<>();
        for (String line : lines) {
            int comment = line.indexOf('#');
            String[] fields = fields((comment < 0 ? line : line.substring(0, comment)).trim());
            if (fields.length > 0) {
                records.add(fields);
            }
        }
        return records;
    }

    /** {@code text} split at runs of blanks, tabs and the other characters {@code \s} stands for. */
    private static String[] fields(String text) {
        List<String> fields = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean blank = i == text.length() || " \t\n\u000B\f\r".indexOf(text.charAt(i)) >= 0;
            if (blank && start >= 0) {
                fields.add(text.substring(start, i));
                start = -1;
            } else if (!blank && start < 0) {
                start = i;
            }
        }
        return fields.toArray(new String[0]);
    }
}
