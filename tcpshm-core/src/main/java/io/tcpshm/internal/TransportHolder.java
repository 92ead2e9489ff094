package io.tcpshm.internal;

/**
 * Where a connection keeps the {@link Transport} over its open files: a volatile field of the connection
 * itself, so that every user call reads it with one load from the connection object (not through
 * {@link ConnectionFiles}, one more dependent load on the hot path). {@link ConnectionFiles} publishes and
 * withdraws transports through this and owns the ordering rules around them.
 */
public interface TransportHolder
{
    /** @return the transport now (a volatile read), or null. */
    Transport transport();

    /** @param transport the transport to publish (a volatile write), or null. */
    void transport(Transport transport);
}
