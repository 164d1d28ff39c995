package io.rampart.cli;

import java.util.Map;

/** A command that reads environment variables, which tests replace. */
interface ReadsEnvironment {
    void setEnvironment(Map<String, String> environment);
}
