package io.rampart.api;

import io.rampart.api.LiveRulesetResult.ChainView;

/** The rules of one live chain with their counters, as a front end loads them when the chain is opened. */
public record ChainRulesResult(String family, String file, String table, ChainView chain) {
}
