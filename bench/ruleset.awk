# Writes the rulesets bench/apply loads: a filter table whose INPUT chain jumps into CHAINS user
# chains holding RULES rules between them, as the same seeded choices give every time.
#
#   awk -v rules=10000 -v chains=1000 -v out=DIR -f bench/ruleset.awk
#
# DIR/rules          iptables-restore text (also Rampart's input), in iptables-save's spelling
# DIR/rules-changed  the same with one rule changed (the first rule of the middle chain)
# DIR/ferm.conf      the same ruleset in ferm's language
# DIR/ferm-changed.conf
#
# The random numbers are a Park-Miller generator, not awk's rand(), so mawk and gawk write the
# same files. The rules are those of a host firewall: addresses and networks, tcp and udp ports,
# port ranges, multiport, conntrack states, ICMP with a rate limit, comments, LOG and REJECT.

function next_random() {
    seed = (seed * 16807) % 2147483647
    return seed
}

function pick(n) {
    return next_random() % n
}

function port() {
    return pick(4) == 0 ? 1024 + pick(60000) : ports[1 + pick(nports)]
}

# Writes one rule in both languages, as it is (ipt, fm) and as it is after the change (ipt2, fm2).
function emit(ipt, fm, ipt2, fm2) {
    print ipt > (out "/rules")
    print ipt2 > (out "/rules-changed")
    print "    " fm ";" > (out "/ferm.conf")
    print "    " fm2 ";" > (out "/ferm-changed.conf")
}

# A line of iptables-restore text that is the same in both rulesets.
function both_rulesets(text) {
    print text > (out "/rules")
    print text > (out "/rules-changed")
}

# A line of ferm's language that is the same in both ferm files.
function ferm_line(text) {
    print text > (out "/ferm.conf")
    print text > (out "/ferm-changed.conf")
}

function emit_same(ipt, fm) {
    emit(ipt, fm, ipt, fm)
}

# One rule of chain `c' in both spellings, into ipt_rule and ferm_rule.
function make_rule(c, kind,    net, host, p, q, lo, hi, n) {
    net = "10." pick(256) "." pick(256) ".0/24"
    host = "192.168." pick(256) "." (1 + pick(254))
    p = port()
    rule_port = p
    if (kind == 0) {
        ipt_rule = "-A " c " -s " net " -p tcp -m tcp --dport " p " -m conntrack --ctstate NEW -m comment --comment \"" c ": allow " net "\" -j ACCEPT"
        ferm_rule = "saddr " net " proto tcp dport " p " mod conntrack ctstate NEW mod comment comment \"" c ": allow " net "\" ACCEPT"
    } else if (kind == 1) {
        q = port()
        ipt_rule = "-A " c " -s " host "/32 -p tcp -m multiport --dports " p "," q " -j ACCEPT"
        ferm_rule = "saddr " host " proto tcp mod multiport destination-ports (" p " " q ") ACCEPT"
    } else if (kind == 2) {
        ipt_rule = "-A " c " -d " net " -p udp -m udp --dport " p " -j ACCEPT"
        ferm_rule = "daddr " net " proto udp dport " p " ACCEPT"
    } else if (kind == 3) {
        n = 1 + pick(20)
        ipt_rule = "-A " c " -p icmp -m icmp --icmp-type 8 -m limit --limit " n "/sec -j ACCEPT"
        ferm_rule = "proto icmp icmp-type 8 mod limit limit " n "/sec ACCEPT"
    } else if (kind == 4) {
        ipt_rule = "-A " c " -m conntrack --ctstate INVALID -j DROP"
        ferm_rule = "mod conntrack ctstate INVALID DROP"
    } else if (kind == 5) {
        ipt_rule = "-A " c " ! -s 10.0.0.0/8 -p tcp -m tcp --dport " p " -j REJECT --reject-with tcp-reset"
        ferm_rule = "saddr ! 10.0.0.0/8 proto tcp dport " p " REJECT reject-with tcp-reset"
    } else if (kind == 6) {
        n = pick(4)
        ipt_rule = "-A " c " -i eth" n " -p tcp -m tcp --sport 1024:65535 --dport " p " -j ACCEPT"
        ferm_rule = "interface eth" n " proto tcp sport 1024:65535 dport " p " ACCEPT"
    } else {
        lo = 1024 + pick(30000)
        hi = lo + 1 + pick(1000)
        net = "172." (16 + pick(16)) ".0.0/16"
        ipt_rule = "-A " c " -s " net " -p tcp -m tcp --dport " lo ":" hi " -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT"
        ferm_rule = "saddr " net " proto tcp dport " lo ":" hi " mod conntrack ctstate (NEW ESTABLISHED) ACCEPT"
    }
}

BEGIN {
    if (rules == "" || chains == "" || out == "") {
        print "usage: awk -v rules=N -v chains=M -v out=DIR -f ruleset.awk" > "/dev/stderr"
        exit 2
    }
    seed = 20261124
    nports = split("22 25 53 80 110 123 143 389 443 465 587 636 993 995 1433 3306 5432 6379 8080 8443 9090 9200 11211 27017", ports, " ")
    width = length(chains "")
    changed_chain = int((chains + 1) / 2)

    both_rulesets("*filter")
    both_rulesets(":INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]")
    # One line at a time: a string grown by 100,000 chain names would be copied at every step.
    for (k = 1; k <= chains; k++) {
        name[k] = sprintf("svc-%0" width "d", k)
        both_rulesets(":" name[k] " - [0:0]")
    }

    ferm_line("domain ip table filter {\n  chain INPUT {\n    policy ACCEPT;")
    emit_same("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "mod conntrack ctstate (RELATED ESTABLISHED) ACCEPT")
    emit_same("-A INPUT -i lo -j ACCEPT", "interface lo ACCEPT")
    for (k = 1; k <= chains; k++) {
        # A /24 of 10.0.0.0/8 per chain, and of 100.0.0.0/8 past the 65,536 that holds.
        net = k <= 65536 ? "10." int((k - 1) / 256) "." ((k - 1) % 256) ".0/24" \
            : "100." int((k - 65537) / 256) "." ((k - 65537) % 256) ".0/24"
        if (k % 5 == 0) {
            emit_same("-A INPUT -d " net " -p tcp -j " name[k], "daddr " net " proto tcp jump " name[k])
        } else {
            emit_same("-A INPUT -d " net " -j " name[k], "daddr " net " jump " name[k])
        }
    }
    ferm_line("  }\n  chain FORWARD policy ACCEPT;\n  chain OUTPUT policy ACCEPT;")

    per_chain = int(rules / chains)
    extra = rules - per_chain * chains
    for (k = 1; k <= chains; k++) {
        c = name[k]
        n = per_chain + (k <= extra ? 1 : 0)
        ferm_line("  chain " c " {")
        for (i = 1; i <= n; i++) {
            if (i == n && n >= 3) {
                emit_same("-A " c " -j REJECT --reject-with icmp-port-unreachable", "REJECT reject-with icmp-port-unreachable")
            } else if (i == n - 1 && n >= 3) {
                emit_same("-A " c " -m limit --limit 5/min -j LOG --log-prefix \"" c " drop: \"", "mod limit limit 5/min LOG log-prefix \"" c " drop: \"")
            } else {
                make_rule(c, i == 1 ? 0 : pick(8))
                if (k == changed_chain && i == 1) {
                    # The one-rule change: another port for the same service.
                    new_port = rule_port == 4444 ? 4445 : 4444
                    alt_ipt = ipt_rule
                    alt_ferm = ferm_rule
                    sub("--dport " rule_port " ", "--dport " new_port " ", alt_ipt)
                    sub("dport " rule_port " ", "dport " new_port " ", alt_ferm)
                    emit(ipt_rule, ferm_rule, alt_ipt, alt_ferm)
                } else {
                    emit_same(ipt_rule, ferm_rule)
                }
            }
        }
        ferm_line("  }")
    }
    both_rulesets("COMMIT")
    ferm_line("}")
}
