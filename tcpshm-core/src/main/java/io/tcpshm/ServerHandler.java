package io.tcpshm;

import java.net.InetSocketAddress;

/**
 * Callbacks of a {@link TcpShmServer}, the Java form of the C++ server's {@code On...} methods.
 * Login-related callbacks run on the {@code pollCtl} thread; {@link #onClientMsg} runs on the
 * thread polling the connection's group. None may block for long.
 *
 * <p>Three methods are required: {@link #onNewConnection} (accept a login into a group, or reject
 * it), {@link #onClientMsg} and {@link #onSystemError}. The others have defaults: a client's file
 * error and a sequence mismatch are reported through {@code onSystemError} with a text that says
 * what happened; logons and disconnects are not reported. A minimal server:
 *
 * <pre>{@code
 * ServerHandler handler = new ServerHandler()
 * {
 *     public int onNewConnection(InetSocketAddress from, LoginRequest login, LoginResponse response)
 *     {
 *         return 0; // group 0 of the login's transport
 *     }
 *
 *     public void onClientMsg(TcpShmConnection conn, MsgHeader msg)
 *     {
 *         // read msg.buffer() at msg.payloadOffset(), then
 *         conn.pop();
 *     }
 *
 *     public void onSystemError(String message, Exception cause)
 *     {
 *         System.err.println(message);
 *     }
 * };
 * }</pre>
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
     * A client's files could not be opened or are corrupt; its login was answered "System error". By
     * default reported through {@link #onSystemError} (the reason names the file).
     *
     * @param conn the connection slot (its files are closed).
     * @param reason what is wrong, naming the file.
     * @param cause the exception behind it, or null.
     */
    default void onClientFileError(final TcpShmConnection conn, final String reason, final Exception cause)
    {
        onSystemError(reason, cause);
    }

    /**
     * The sequence numbers of a login do not fit this side's queue; it was answered with status 1
     * and nothing was changed. By default reported through {@link #onSystemError}.
     *
     * @param conn the connection.
     * @param localAck this side's ack.
     * @param localSeqStart number of the oldest message in this side's queue.
     * @param localSeqEnd one past the newest message in this side's queue.
     * @param remoteAck the client's ack.
     * @param remoteSeqStart number of the oldest message in the client's queue.
     * @param remoteSeqEnd one past the newest message in the client's queue.
     */
    default void onSeqNumberMismatch(final TcpShmConnection conn, final long localAck, final long localSeqStart,
        final long localSeqEnd, final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
    {
        onSystemError("Sequence number mismatch with client '" + conn.remoteName() + "': this server's ack " +
            localAck + " and queue [" + localSeqStart + ", " + localSeqEnd + ") do not fit the client's ack " +
            remoteAck + " and queue [" + remoteSeqStart + ", " + remoteSeqEnd + ")", null);
    }

    /**
     * A client is logged on; its queued messages have been sent again. Runs on the {@code pollCtl}
     * thread before the connection joins its group. Do not push into a new SHM connection here (a C++
     * client may still zero the rings after its login on a server name change). By default nothing.
     *
     * @param remoteAddress the client's address.
     * @param conn the connection.
     */
    default void onClientLogon(final InetSocketAddress remoteAddress, final TcpShmConnection conn)
    {
    }

    /**
     * A logged-on connection ended. Runs on the {@code pollCtl} thread once the group's poll has let
     * go of the connection. By default nothing ({@link TcpShmConnection#closeReason()} keeps the reason).
     *
     * @param conn the connection.
     * @param reason why.
     * @param detail what exactly (an error's text, the file that was wrong), or null;
     *     {@code reason.describe(detail)} gives the one-line text.
     * @param cause the exception behind it, or null.
     */
    default void onClientDisconnected(final TcpShmConnection conn, final DisconnectReason reason, final String detail,
        final Exception cause)
    {
    }

    /**
     * A message from a client. Pop it with {@code conn.pop()} when done (before pushing a reply);
     * if it is not popped, the same message is delivered again by the next poll.
     *
     * @param conn the connection.
     * @param header the message, valid until it is popped or the next poll.
     */
    void onClientMsg(TcpShmConnection conn, MsgHeader header);
}
