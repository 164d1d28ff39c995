package io.rampart.lb;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * IPTLB's state file: YAML, a map from profile name to {@code destination} (a list),
 * {@code logEnabled}, {@code logLevel} (a string), {@code protocol}, {@code rulesBackend} and
 * {@code source}, keys in that order. Rampart adds {@code masquerade: false} only for a proxy that
 * was told not to masquerade, and a weight as {@code ADDRESS:PORT*W}; a file without them reads as
 * IPTLB wrote it. Every value is checked on reading, and errors point at {@code file:line:col}.
 */
public final class StateFile {

    /** IPTLB's default, relative to the working directory. */
    public static final String DEFAULT_PATH = "./local/state.db";

    private static final List<String> KEYS =
            List.of("destination", "logEnabled", "logLevel", "masquerade", "protocol", "rulesBackend", "source");
    private static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .build())
            .build();

    private StateFile() {
    }

    /** The profiles in {@code file}, by name in the file's order; none when it does not exist. */
    public static Map<String, Profile> read(Path file) throws LbException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        } catch (IOException e) {
            throw new LbException(file + ": cannot read the state file: " + e.getMessage());
        }
        try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
            return new Reader(file, parser).profiles();
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw new LbException(located(file, where) + "error: not a valid state file: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new LbException(file + ": cannot read the state file: " + e.getMessage());
        }
    }

    /** The YAML text of {@code profiles}, sorted by name as IPTLB's YAML library wrote them. */
    public static String render(Map<String, Profile> profiles) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(profiles).forEach((name, profile) -> {
            ObjectNode node = root.putObject(name);
            ArrayNode destinations = node.putArray("destination");
            profile.destinations().forEach(d -> destinations.add(d.toString()));
            node.put("logEnabled", profile.logEnabled());
            node.put("logLevel", Integer.toString(profile.logLevel()));
            if (!profile.masquerade()) {
                node.put("masquerade", false);
            }
            node.put("protocol", profile.protocol().label());
            node.put("rulesBackend", profile.mode().label());
            node.put("source", profile.source().toString());
        });
        try {
            return profiles.isEmpty() ? "{}\n" : MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML for the state", e);
        }
    }

    /**
     * Replaces {@code file} with {@code profiles} all at once: written to a temporary file beside it,
     * flushed to disk, then renamed over it, so a crash leaves the old state or the new, never half.
     */
    public static void write(Path file, Map<String, Profile> profiles) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(StandardCharsets.UTF_8.encode(render(profiles)));
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true); // makes the rename itself durable
            } catch (IOException e) {
                // Some file systems cannot sync a directory; the rename is still atomic.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String located(Path file, JsonLocation where) {
        return where == null || where.getLineNr() < 1 ? file + ": "
                : file + ":" + where.getLineNr() + ":" + Math.max(1, where.getColumnNr()) + ": ";
    }

    /** Walks the YAML events, keeping where each value stands for messages. */
    private static final class Reader {
        private final Path file;
        private final JsonParser parser;

        Reader(Path file, JsonParser parser) {
            this.file = file;
            this.parser = parser;
        }

        Map<String, Profile> profiles() throws IOException, LbException {
            Map<String, Profile> profiles = new LinkedHashMap<>();
            JsonToken first = parser.nextToken();
            if (first == null) {
                return profiles;
            }
            expect(first == JsonToken.START_OBJECT, "expected a map from profile name to profile");
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonLocation at = parser.currentTokenLocation();
                try {
                    Profile.checkName(name);
                } catch (LbException e) {
                    throw fail(at, e.getMessage().replaceFirst("^-profile: ", ""));
                }
                if (profiles.containsKey(name)) {
                    throw fail(at, "profile `" + name + "' appears twice");
                }
                expect(parser.nextToken() == JsonToken.START_OBJECT, "profile `" + name + "' must be a map");
                profiles.put(name, profile(name, at));
            }
            List<Profile> all = List.copyOf(profiles.values());
            for (int i = 0; i < all.size(); i++) {
                for (int j = i + 1; j < all.size(); j++) {
                    Profile a = all.get(i);
                    Profile b = all.get(j);
                    String both = file + ": error: profiles `" + a.name() + "' and `" + b.name() + "' ";
                    if (a.capturesSameAs(b)) {
                        throw new LbException(both + "both capture " + a.source() + " (" + a.protocol().label()
                                + "); keep one");
                    }
                    if (a.chain().equals(b.chain())) {
                        throw new LbException(both + "would share chain " + a.chain() + "; rename one");
                    }
                }
            }
            return profiles;
        }

        private Profile profile(String name, JsonLocation start) throws IOException, LbException {
            Map<String, String> scalars = new TreeMap<>();
            Map<String, JsonLocation> where = new TreeMap<>();
            List<String> destinations = new ArrayList<>();
            List<JsonLocation> destinationsWhere = new ArrayList<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonLocation at = parser.currentTokenLocation();
                if (!KEYS.contains(key)) {
                    throw fail(at, "unknown key `" + key + "' in profile `" + name + "': use "
                            + String.join(", ", KEYS));
                }
                JsonToken value = parser.nextToken();
                where.put(key, parser.currentTokenLocation());
                if (key.equals("destination")) {
                    expect(value == JsonToken.START_ARRAY, "destination of `" + name + "' must be a list");
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        expect(parser.currentToken().isScalarValue(), "destination entries must be IP:PORT");
                        destinations.add(parser.getText());
                        destinationsWhere.add(parser.currentTokenLocation());
                    }
                } else {
                    expect(value.isScalarValue(), key + " of `" + name + "' must be a single value");
                    scalars.put(key, parser.getText());
                }
            }
            for (String required : List.of("source", "destination")) {
                if (!where.containsKey(required)) {
                    throw fail(start, "profile `" + name + "' has no " + required);
                }
            }
            Endpoint source = value("source", where, () -> Endpoint.parse(scalars.get("source"), "source"));
            List<Destination> parsed = new ArrayList<>();
            for (int i = 0; i < destinations.size(); i++) {
                String destination = destinations.get(i);
                parsed.add(value("destination", Map.of("destination", destinationsWhere.get(i)),
                        () -> Destination.parse(destination, "destination")));
            }
            Protocol protocol = value("protocol", where,
                    () -> Protocol.parse(scalars.getOrDefault("protocol", "tcp"), "protocol"));
            Mode mode = value("rulesBackend", where,
                    () -> Mode.parse(scalars.getOrDefault("rulesBackend", "client"), "rulesBackend"));
            int level = value("logLevel", where, () -> Profile.parseLogLevel(scalars.getOrDefault("logLevel", "4")));
            boolean log = bool(scalars, where, "logEnabled", false);
            boolean masquerade = bool(scalars, where, "masquerade", true);
            return value("destination", where,
                    () -> Profile.of(name, source, parsed, protocol, mode, log, level, masquerade));
        }

        private boolean bool(Map<String, String> scalars, Map<String, JsonLocation> where, String key, boolean absent)
                throws LbException {
            String text = scalars.get(key);
            if (text == null) {
                return absent;
            }
            if (!text.equals("true") && !text.equals("false")) {
                throw fail(where.get(key), key + ": `" + text + "' is not true or false");
            }
            return Boolean.parseBoolean(text);
        }

        private interface Check<T> {
            T get() throws LbException;
        }

        private <T> T value(String key, Map<String, JsonLocation> where, Check<T> check) throws LbException {
            try {
                return check.get();
            } catch (LbException e) {
                // The message names a flag or key; here the key is what the reader needs.
                throw fail(where.get(key), key + ": " + e.getMessage().replaceFirst("^-?[a-zA-Z-]+: ", ""));
            }
        }

        private void expect(boolean ok, String message) throws LbException {
            if (!ok) {
                throw fail(parser.currentTokenLocation(), message);
            }
        }

        private LbException fail(JsonLocation at, String message) {
            return new LbException(located(file, at) + "error: " + message);
        }
    }
}
