package io.rampart.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** The version from the build, for {@code rampart --version}. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {line()};
    }

    /** {@code rampart VERSION}. */
    static String line() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/rampart-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the version: " + e.getMessage(), e);
        }
        return "rampart " + properties.getProperty("version", "unknown");
    }
}
