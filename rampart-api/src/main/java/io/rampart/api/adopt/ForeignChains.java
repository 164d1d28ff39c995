package io.rampart.api.adopt;

import java.util.List;
import java.util.Optional;

/** Chains other tools make and keep, by the names they give them; a ruleset file should leave them alone. */
final class ForeignChains {

    private record Owner(String prefix, String tool) {
    }

    private static final List<Owner> OWNERS = List.of(
            new Owner("DOCKER", "Docker"),
            new Owner("KUBE-", "kube-proxy"),
            new Owner("cali-", "Calico"),
            new Owner("CILIUM_", "Cilium"),
            new Owner("FLANNEL-", "flannel"),
            new Owner("CNI-", "CNI plugins"),
            new Owner("WEAVE", "Weave Net"),
            new Owner("ISTIO_", "Istio"),
            new Owner("LIBVIRT_", "libvirt"),
            new Owner("f2b-", "fail2ban"),
            new Owner("ufw-", "ufw"),
            new Owner("ufw6-", "ufw"),
            new Owner("ts-", "Tailscale"),
            new Owner("RAMPART-", "Rampart's own bookkeeping"),
            new Owner("RS.", "a Rampart stage"));

    private ForeignChains() {
    }

    /** The tool that owns a chain of this name, if it is another tool's. */
    static Optional<String> owner(String chain) {
        return OWNERS.stream().filter(o -> chain.startsWith(o.prefix())).map(Owner::tool).findFirst();
    }
}
