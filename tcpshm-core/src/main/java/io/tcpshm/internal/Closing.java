package io.tcpshm.internal;

import io.tcpshm.DisconnectReason;

/**
 * Why a session ended: a reason, a detail text and an optional exception. Immutable, so that the first
 * close request of a session can be published by a compare-and-set ({@link CloseRequest}).
 */
public final class Closing
{
    /** What ended the session. */
    public final DisconnectReason reason;
    /** What exactly, or null. */
    public final String detail;
    /** The exception behind it, or null. */
    public final Exception cause;

    /**
     * @param reason what ended the session.
     * @param detail what exactly, or null.
     * @param cause  the exception behind it, or null.
     */
    public Closing(final DisconnectReason reason, final String detail, final Exception cause)
    {
        this.reason = reason;
        this.detail = detail;
        this.cause = cause;
    }

    /** @return the one-line text ({@link DisconnectReason#describe}). */
    public String text()
    {
        return reason.describe(detail);
    }
}
