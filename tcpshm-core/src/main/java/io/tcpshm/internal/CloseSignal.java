package io.tcpshm.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the close requests made on a server's connections, so that the control poll walks its slots only
 * when one was made instead of on every call. Each {@link CloseRequest#request} that wins raises it after its
 * compare-and-set of the request (both volatile): a control thread that reads a new count therefore finds the
 * request in the connection it walks to.
 */
public final class CloseSignal
{
    private final AtomicInteger raised = new AtomicInteger();

    /** Any thread, after a close request was recorded. */
    void raise()
    {
        raised.incrementAndGet();
    }

    /** @return the number of raises so far (a volatile read; wraps: compare for change only). */
    public int count()
    {
        return raised.get();
    }
}
