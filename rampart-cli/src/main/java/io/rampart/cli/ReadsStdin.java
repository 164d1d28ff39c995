package io.rampart.cli;

import java.io.InputStream;

/** A command that reads standard input, which tests replace. */
interface ReadsStdin {
    void setStdin(InputStream in);
}
