package io.rampart.api;

import io.rampart.model.extension.HostNames;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A host's names, each answer that is read afresh at every lookup (users, groups, host names,
 * iproute2's tables, connection labels) told to a recorder as text, so that {@link NoopMemo} can
 * ask again and compare. Protocols and services come from /etc/protocols and /etc/services, read
 * once: the memo digests those files instead.
 */
final class RecordingNames implements HostNames {

    /** Where each answer goes: the method, its argument, and the answer as {@link #ask} spells it. */
    interface Recorder {
        void answered(String method, String argument, String answer);
    }

    private final HostNames names;
    private final Recorder recorder;

    RecordingNames(HostNames names, Recorder recorder) {
        this.names = names;
        this.recorder = recorder;
    }

    /** The answer of {@code names} to {@code method} for {@code argument}, spelt as it is recorded. */
    static String ask(HostNames names, String method, String argument) {
        return switch (method) {
            case "userId" -> String.valueOf(names.userId(argument));
            case "groupId" -> String.valueOf(names.groupId(argument));
            case "addresses" -> spelt(names.addresses(argument));
            case "iproute2Names" -> String.valueOf(names.iproute2Names(argument));
            case "connectionLabels" -> String.valueOf(new TreeMap<>(names.connectionLabels()));
            default -> throw new IllegalArgumentException("no lookup " + method);
        };
    }

    private static String spelt(Optional<List<byte[]>> addresses) {
        return addresses.map(all -> all.stream().map(HexFormat.of()::formatHex).toList().toString())
                .orElse("unknown");
    }

    @Override
    public Optional<Integer> protocolNumber(String text) {
        return names.protocolNumber(text);
    }

    @Override
    public Optional<Integer> protocolNumberOfExactName(String name) {
        return names.protocolNumberOfExactName(name);
    }

    @Override
    public String protocolName(int number) {
        return names.protocolName(number);
    }

    @Override
    public Optional<Integer> systemProtocolNumber(String name) {
        return names.systemProtocolNumber(name);
    }

    @Override
    public Optional<String> systemProtocolName(int number) {
        return names.systemProtocolName(number);
    }

    @Override
    public Optional<Integer> servicePort(String name, String protocol) {
        return names.servicePort(name, protocol);
    }

    @Override
    public Optional<Long> userId(String name) {
        Optional<Long> id = names.userId(name);
        recorder.answered("userId", name, String.valueOf(id));
        return id;
    }

    @Override
    public Optional<Long> groupId(String name) {
        Optional<Long> id = names.groupId(name);
        recorder.answered("groupId", name, String.valueOf(id));
        return id;
    }

    @Override
    public Optional<List<byte[]>> addresses(String host) {
        Optional<List<byte[]>> addresses = names.addresses(host);
        recorder.answered("addresses", host, spelt(addresses));
        return addresses;
    }

    @Override
    public List<Map.Entry<Long, String>> iproute2Names(String table) {
        List<Map.Entry<Long, String>> entries = names.iproute2Names(table);
        recorder.answered("iproute2Names", table, String.valueOf(entries));
        return entries;
    }

    @Override
    public Map<Integer, String> connectionLabels() {
        Map<Integer, String> labels = names.connectionLabels();
        recorder.answered("connectionLabels", "", String.valueOf(new TreeMap<>(labels)));
        return labels;
    }
}
