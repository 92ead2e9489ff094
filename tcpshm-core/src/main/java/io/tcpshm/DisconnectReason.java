package io.tcpshm;

/**
 * Why a logged-on session ended, passed to {@link ClientHandler#onDisconnected} and
 * {@link ServerHandler#onClientDisconnected} with a detail text, and kept by
 * {@link TcpShmConnection#disconnectReason()}.
 *
 * <p>{@link #describe(String)} gives the one-line text the library reports elsewhere (the
 * counters file, {@link TcpShmConnection#closeReason()}): for the first four reasons the reason's
 * text, then the detail after a colon ("Remote close: Connection reset"), as the C++ original
 * reports them; for the others the detail alone, which names what was wrong.
 */
public enum DisconnectReason
{
    /** The peer closed the socket, or reading it failed (the detail is the error). */
    REMOTE_CLOSE("Remote close", true),
    /** Nothing was received for longer than {@code connectionTimeout}. */
    TIMEOUT("Timeout", true),
    /** {@link TcpShmConnection#close()} was called. */
    USER_CLOSE("Closed by user", true),
    /** Writing to the socket failed (the detail is the error). */
    SEND_ERROR("Send error", true),
    /** The peer broke the protocol: a message size or an ack that cannot be valid. */
    PROTOCOL_ERROR("Protocol error", false),
    /** A mapped file of the connection is corrupt or could not be accessed (the detail names it). */
    FILE_ERROR("File error", false),
    /** The two processes do not map the same SHM rings (two hosts, containers, or {@code shmDir}s). */
    SHM_NOT_SHARED("SHM rings not shared", false),
    /** The SHM peer consumed nothing for longer than {@code shmConsumeTimeout}. */
    SHM_PEER_STALLED("SHM peer consumes nothing", false),
    /** The login could not be completed after the socket was set up. */
    LOGIN_FAILED("Login failed", false),
    /** A callback of the application threw during the login. */
    CALLBACK_ERROR("Callback threw", false),
    /** The client or server was stopped. */
    STOPPED("Stopped", false);

    private final String text;
    private final boolean textLeadsDetail;

    DisconnectReason(final String text, final boolean textLeadsDetail)
    {
        this.text = text;
        this.textLeadsDetail = textLeadsDetail;
    }

    /** @return a short text for the reason, e.g. "Timeout". */
    public String text()
    {
        return text;
    }

    /**
     * @param detail the detail given with this reason, or null.
     * @return the one-line text the library reports for it (see the class comment).
     */
    public String describe(final String detail)
    {
        if (detail == null || detail.isEmpty())
        {
            return text;
        }
        return textLeadsDetail ? text + ": " + detail : detail;
    }
}
