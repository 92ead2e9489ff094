package io.tcpshm.internal;

/**
 * Which threads poll a client's connection: the one that polls SHM and the one that connects and polls
 * TCP (the same thread or two). A callback of the SHM poller can outlive a switch of the connection to
 * other rings or to TCP; knowing the threads lets that callback finish on the rings it began on and never
 * touch the TCP session's state, which belongs to the other thread. On a server nothing is noted and every
 * caller owns the TCP state.
 */
public final class PollerThreads
{
    private volatile Thread shmPoller;
    private volatile Thread tcpPoller;
    /** The connecting thread's requests of {@link #awaitShmQuiet}: only it writes, one more per request. */
    private volatile long quietRequest;
    /** The last request the SHM poller acknowledged at the entry of a poll. */
    private volatile long quietAck;
    /** The SHM poller's copy of {@link #quietAck}, so that a poll with nothing to acknowledge writes nothing. */
    private long lastAck;

    /**
     * Records the calling thread as the SHM poller or the TCP poller. Written only when a thread changes:
     * a read and a compare per poll.
     *
     * @param shmThread true from {@code pollShm}, false from {@code connect} and {@code pollTcp}.
     */
    public void note(final boolean shmThread)
    {
        final Thread me = Thread.currentThread();
        if (shmThread ? shmPoller != me : tcpPoller != me)
        {
            if (shmThread)
            {
                shmPoller = me;
            }
            else
            {
                tcpPoller = me;
            }
        }
    }

    /**
     * Called by {@code pollShm} at its entry when it has found the SHM session not ready (a volatile read of the
     * client's {@code shmReady} that returned false), before it returns: acknowledges the latest request of
     * {@link #awaitShmQuiet}. A poll of a ready session never calls it, so the connected path pays nothing; a
     * connector only asks after it has ended the session, so the poll that acknowledges is one that saw it ended.
     */
    public void acknowledgeShmQuiet()
    {
        final long request = quietRequest;
        if (request != lastAck)
        {
            lastAck = request;
            quietAck = request;
        }
    }

    /**
     * Waits until a client's SHM poller, when it is another thread, has begun a poll after this call. Then
     * every callback it began before has returned, and none begins on an earlier session's rings. The order,
     * argued: the caller's writes that end the session (the volatile {@code shmReady = false} last), then its
     * volatile write of {@code quietRequest}. The poller, at the entry of a poll: its volatile read of
     * {@code shmReady}; only when that read false, its volatile read of the request, its volatile write of
     * {@code quietAck}, and it returns without touching the rings. Volatile accesses are totally ordered and
     * consistent with program order, so a poller that acknowledged this request did so in a poll that reads no
     * ring, after every earlier poll (and callback) of its own had returned; and the caller that reads the
     * acknowledgement sees everything those callbacks wrote (happens-before through {@code quietAck}). The
     * caller keeps {@code shmReady} false until it has logged in, so no poll in between reads a ring either.
     *
     * <p>Needed before an SHM login: the server may zero the rings an old callback still pops or pushes on.
     *
     * @param timeoutNanos how long to wait at most.
     * @return true when there is no other SHM poller thread (or it has ended), or it acknowledged in time.
     */
    public boolean awaitShmQuiet(final long timeoutNanos)
    {
        final Thread poller = shmPoller;
        if (poller == null || poller == Thread.currentThread() || !poller.isAlive())
        {
            return true;
        }
        final long request = requestShmQuiet();
        final long deadline = System.nanoTime() + timeoutNanos;
        while (!shmQuietAcknowledged(request))
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            Thread.yield();
        }
        return true;
    }

    /**
     * The first half of {@link #awaitShmQuiet}: asks the SHM poller to acknowledge at the entry of its next
     * poll. Only the connecting thread calls it, after its writes that end the session.
     *
     * @return the request to pass to {@link #shmQuietAcknowledged}.
     */
    public long requestShmQuiet()
    {
        // One writer, so the read and the increment lose no update; the volatile write publishes it.
        final long request = quietRequest + 1;
        quietRequest = request;
        return request;
    }

    /**
     * The second half of {@link #awaitShmQuiet}, never blocking.
     *
     * @param request a value returned by {@link #requestShmQuiet}.
     * @return true once the SHM poller has acknowledged that request at the entry of a poll.
     */
    public boolean shmQuietAcknowledged(final long request)
    {
        return quietAck == request;
    }

    /** @return true when the caller is the client's SHM poller. */
    public boolean isShmPoller()
    {
        return Thread.currentThread() == shmPoller;
    }

    /**
     * @return whether the calling thread owns the TCP session's state: any thread but a client's separate
     *     SHM poller (which must never touch it, even when a switch of rings ends its callback in TCP mode).
     */
    public boolean ownsTcpState()
    {
        final Thread poller = shmPoller;
        return poller == null || poller == tcpPoller || Thread.currentThread() != poller;
    }
}
