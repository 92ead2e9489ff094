package io.tcpshm.internal;

import io.tcpshm.DisconnectReason;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The close request of one connection's current session. Any thread may ask for the close (the user's
 * {@code close()}, the SHM poller finding a corrupt ring, the TCP thread finding a protocol error); the
 * first request of a session wins by a compare-and-set, and the thread that owns the session completes
 * the close at its next poll ({@link #complete()}) and reports that first reason.
 */
public final class CloseRequest
{
    private static final VarHandle CURRENT;

    static
    {
        try
        {
            CURRENT = MethodHandles.lookup().findVarHandle(CloseRequest.class, "current", Closing.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Raised after each request that wins, or null (a client's connection). */
    private final CloseSignal signal;
    /** Set once per session by the first request, from any thread; null while the session is open. */
    private volatile Closing current;
    /** The request that ended the last session; written and read by the session's owner only. */
    private Closing last;

    /** A close request that signals nobody (a client's connection). */
    public CloseRequest()
    {
        this(null);
    }

    /** @param signal raised after each request that wins (a server's connections share one), or null. */
    public CloseRequest(final CloseSignal signal)
    {
        this.signal = signal;
    }

    /**
     * Asks for the session to be closed; only the first request of a session is kept.
     *
     * @param reason what ends it.
     * @param detail what exactly, or null.
     * @param cause  the exception behind it, or null.
     */
    public void request(final DisconnectReason reason, final String detail, final Exception cause)
    {
        if (CURRENT.compareAndSet(this, null, new Closing(reason, detail, cause)) && signal != null)
        {
            signal.raise();
        }
    }

    /** @return true when the current session was asked to close (a volatile read). */
    public boolean isRequested()
    {
        return current != null;
    }

    /** @return the request of the current session, or null. */
    public Closing current()
    {
        return current;
    }

    /** Forgets the last session's request: a new session starts open. */
    public void clear()
    {
        current = null;
    }

    /** @return the request that ends the session now being closed (kept for {@link #latest()}). */
    public Closing complete()
    {
        final Closing c = current;
        last = c;
        return c;
    }

    /** @return the current session's request, else the one that ended the last session, else null. */
    public Closing latest()
    {
        final Closing c = current;
        return c != null ? c : last;
    }
}
