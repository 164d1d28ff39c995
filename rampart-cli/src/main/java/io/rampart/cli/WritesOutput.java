package io.rampart.cli;

import java.io.PrintWriter;

/** A command that prints, given the streams picocli's command line has (tests replace them). */
interface WritesOutput {
    void setOutput(PrintWriter out, PrintWriter err);
}
