package io.tcpshm;

/**
 * Callbacks of a {@link TcpShmClient}, the Java form of the C++ client's {@code On...} methods. All
 * are called from the thread that made the call that caused them ({@code connect},
 * {@code pollTcp} or {@code pollShm}); none may block for long, since nothing else is polled
 * meanwhile.
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
     * The server rejected the login (status 2).
     *
     * @param response the response: server name, error message, user data.
     */
    void onLoginReject(LoginResponse response);

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
     * client's queue). Nothing was changed; see the README for the ways out.
     *
     * @param localAck this client's ack (peer messages consumed).
     * @param localSeqStart number of the oldest message in this client's queue.
     * @param localSeqEnd one past the newest message in this client's queue.
     * @param remoteAck the server's ack.
     * @param remoteSeqStart number of the oldest message in the server's queue.
     * @param remoteSeqEnd one past the newest message in the server's queue.
     */
    void onSeqNumberMismatch(long localAck, long localSeqStart, long localSeqEnd,
        long remoteAck, long remoteSeqStart, long remoteSeqEnd);

    /**
     * A message from the server. Pop it with {@code connection().pop()} when done; if it is not
     * popped, the same message is delivered again by the next poll.
     *
     * @param header the message, valid until it is popped or the next poll.
     */
    void onServerMsg(MsgHeader header);

    /**
     * The logged-on connection ended.
     *
     * @param reason why, e.g. "Timeout", "Remote close", "Closed by user".
     * @param cause the exception behind it, or null.
     */
    void onDisconnected(String reason, Exception cause);
}
