package io.rampart.lb;

import io.rampart.model.Family;
import io.rampart.reconcile.Xtables;

/** What the load balancer needs from the system: the reconciler's boundary and two more things. */
public interface LbHost {

    Xtables xtables();

    /** The nat table with each rule's packet and byte counters, as {@code iptables-save -c -t nat} prints it. */
    String saveNatWithCounters(Family family);

    /** Turns on forwarding for the family, so a proxy passes the balanced traffic on. */
    void enableForwarding(Family family);
}
