package io.tcpshm;

import java.net.InetSocketAddress;

/**
 * Callbacks of a {@link TcpShmServer}, the Java form of the C++ server's {@code On...} methods.
 * Login-related callbacks run on the {@code pollCtl} thread; {@link #onClientMsg} runs on the
 * thread polling the connection's group. None may block for long.
 */
public interface ServerHandler
{
    /**
     * A system error not tied to one connection (e.g. accept failed). The server keeps running.
     *
     * @param message what failed.
     * @param cause the exception behind it, or null.
     */
    void onSystemError(String message, Exception cause);

    /**
     * A client sent a complete, well-formed login. Decide whether to accept it and in which group.
     *
     * @param remoteAddress the client's address.
     * @param login the login: names, SHM flag, user data.
     * @param response the response being built: write user data in place, or set an error message
     *     when rejecting.
     * @return the group id (of the SHM groups when {@code login.useShm()}, else of the TCP groups),
     *     or a negative id (-1) to reject (status 2 with the error message set, default "Login Reject").
     */
    int onNewConnection(InetSocketAddress remoteAddress, LoginRequest login, LoginResponse response);

    /**
     * A client's files could not be opened or are corrupt; its login was answered "System error".
     *
     * @param conn the connection slot (its files are closed).
     * @param reason what is wrong, naming the file.
     * @param cause the exception behind it, or null.
     */
    void onClientFileError(TcpShmConnection conn, String reason, Exception cause);

    /**
     * The sequence numbers of a login do not fit this side's queue; it was answered with status 1
     * and nothing was changed.
     *
     * @param conn the connection.
     * @param localAck this side's ack.
     * @param localSeqStart number of the oldest message in this side's queue.
     * @param localSeqEnd one past the newest message in this side's queue.
     * @param remoteAck the client's ack.
     * @param remoteSeqStart number of the oldest message in the client's queue.
     * @param remoteSeqEnd one past the newest message in the client's queue.
     */
    void onSeqNumberMismatch(TcpShmConnection conn, long localAck, long localSeqStart, long localSeqEnd,
        long remoteAck, long remoteSeqStart, long remoteSeqEnd);

    /**
     * A client is logged on; its queued messages have been sent again. Runs on the {@code pollCtl}
     * thread before the connection joins its group. Do not push into a new SHM connection here (a C++
     * client may still zero the rings after its login on a server name change).
     *
     * @param remoteAddress the client's address.
     * @param conn the connection.
     */
    void onClientLogon(InetSocketAddress remoteAddress, TcpShmConnection conn);

    /**
     * A logged-on connection ended. Runs on the {@code pollCtl} thread once the group's poll has let
     * go of the connection.
     *
     * @param conn the connection.
     * @param reason why, e.g. "Timeout", "Remote close", "Closed by user".
     * @param cause the exception behind it, or null.
     */
    void onClientDisconnected(TcpShmConnection conn, String reason, Exception cause);

    /**
     * A message from a client. Pop it with {@code conn.pop()} when done (before pushing a reply);
     * if it is not popped, the same message is delivered again by the next poll.
     *
     * @param conn the connection.
     * @param header the message, valid until it is popped or the next poll.
     */
    void onClientMsg(TcpShmConnection conn, MsgHeader header);
}
