package io.rampart.model.value;

/**
 * Where DNAT and SNAT map a connection: an address range ({@code FIRST-LAST}, one address alone
 * when both agree; null: the address is kept) and the ports after a colon (null: kept). An IPv6
 * range is in brackets when ports follow.
 */
public record NatRange(AddressRange addresses, NatPorts ports) implements Value {

    public NatRange {
        if (addresses == null && ports == null) {
            throw new IllegalArgumentException("a NAT range needs addresses or ports");
        }
    }

    @Override
    public String text() {
        String ports = this.ports == null ? "" : ":" + this.ports.text();
        if (addresses == null) {
            return ports;
        }
        String first = AddressText.format(addresses.first());
        String last = AddressText.format(addresses.last());
        String range = first.equals(last) ? first : first + "-" + last;
        return addresses.first().length == 16 && this.ports != null ? "[" + range + "]" + ports : range + ports;
    }
}
