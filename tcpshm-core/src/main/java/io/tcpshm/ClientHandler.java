package io.tcpshm;

/**
 * Callbacks of a {@link TcpShmClient}, the Java form of the C++ client's {@code On...} methods. All
 * are called from the thread that made the call that caused them ({@code connect},
 * {@code pollTcp} or {@code pollShm}); none may block for long, since nothing else is polled
 * meanwhile.
 *
 * <p>Three methods are required: {@link #onLoginSuccess} (it returns the time that starts the
 * heartbeat clock, in the caller's units), {@link #onServerMsg} and {@link #onSystemError}. The
 * others have defaults: a rejected login and a sequence mismatch are reported through
 * {@code onSystemError} with a text that says what happened, and a disconnect is left to
 * {@link TcpShmConnection#closeReason()}. A minimal client:
 *
 * <pre>{@code
 * ClientHandler handler = new ClientHandler()
 * {
 *     public long onLoginSuccess(LoginResponse response)
 *     {
 *         return System.nanoTime();
 *     }
 *
 *     public void onServerMsg(MsgHeader msg)
 *     {
 *         // read msg.buffer() at msg.payloadOffset(), then
 *         client.connection().pop();
 *     }
 *
 *     public void onSystemError(String message, Exception cause)
 *     {
 *         System.err.println(message);
 *     }
 * };
 * }</pre>
 */
public interface ClientHandler
{
    /**
     * A system error: a file that cannot be opened or is corrupt, a socket that cannot connect, a
     * malformed login response. The client keeps running; {@code connect} returns false.
     *
     * @param message what failed, naming the file or address.
     * @param cause the exception behind it, or null.
     */
    void onSystemError(String message, Exception cause);

    /**
     * The server rejected the login (status 2). By default reported through {@link #onSystemError}.
     *
     * @param response the response: server name, error message, user data.
     */
    default void onLoginReject(final LoginResponse response)
    {
        onSystemError("Login rejected by server '" + response.serverName() + "': " + response.errorMessage(), null);
    }

    /**
     * The login succeeded; the connection starts right after this returns.
     *
     * @param response the response: server name, user data.
     * @return the current time, in the units of the {@code now} passed to {@code pollTcp}: it
     *     starts the heartbeat and timeout clocks.
     */
    long onLoginSuccess(LoginResponse response);

    /**
     * The two sides' sequence numbers do not fit (status 1, or the server's ack outside this
     * client's queue). Nothing was changed; see the README for the ways out. By default reported
     * through {@link #onSystemError}.
     *
     * @param localAck this client's ack (peer messages consumed).
     * @param localSeqStart number of the oldest message in this client's queue.
     * @param localSeqEnd one past the newest message in this client's queue.
     * @param remoteAck the server's ack.
     * @param remoteSeqStart number of the oldest message in the server's queue.
     * @param remoteSeqEnd one past the newest message in the server's queue.
     */
    default void onSeqNumberMismatch(final long localAck, final long localSeqStart, final long localSeqEnd,
        final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
    {
        onSystemError("Sequence number mismatch: this client's ack " + localAck + " and queue [" + localSeqStart +
            ", " + localSeqEnd + ") do not fit the server's ack " + remoteAck + " and queue [" + remoteSeqStart + ", " +
            remoteSeqEnd + ")", null);
    }

    /**
     * A message from the server. Pop it with {@code connection().pop()} when done; if it is not
     * popped, the same message is delivered again by the next poll.
     *
     * @param header the message, valid until it is popped or the next poll.
     */
    void onServerMsg(MsgHeader header);

    /**
     * The logged-on connection ended. By default nothing is done ({@link TcpShmConnection#closeReason()}
     * keeps the reason).
     *
     * @param reason why.
     * @param detail what exactly (an error's text, the file that was wrong), or null;
     *     {@code reason.describe(detail)} gives the one-line text.
     * @param cause the exception behind it, or null.
     */
    default void onDisconnected(final DisconnectReason reason, final String detail, final Exception cause)
    {
    }
}
