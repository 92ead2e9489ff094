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
