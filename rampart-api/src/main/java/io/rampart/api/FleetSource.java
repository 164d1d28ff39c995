package io.rampart.api;

/**
 * The fleet of hosts the page shows, read afresh at each request; given to a server started with
 * {@code --etcd}, which keeps this module free of the fleet's store.
 */
public interface FleetSource extends AutoCloseable {

    /** The fleet now, as values the server writes as JSON. */
    Object read();

    @Override
    void close();
}
