package io.tcpshm;

/**
 * One connection's identity and counters as a JMX MXBean, registered when
 * {@link TcpShmConfig#registerMXBeans()} is set, under
 * {@code io.tcpshm:type=Connection,side=client|server,local=<name>,slot=<slot>} ({@code slot} is
 * {@code tcp-<group>-<index>} or {@code shm-<group>-<index>} on a server, {@code 0} on a client). The values
 * are those of {@link ConnectionStats}, read from the counters the library keeps anyway: nothing is added
 * to the paths that count, and a value may be a moment old.
 */
public interface ConnectionMXBean
{
    /** @return this side's name. */
    String getLocalName();

    /** @return the peer's name (a server's slot: its last client), or an empty string before the first login. */
    String getRemoteName();

    /** @return the peer's address while logged on (or of the last session), or an empty string. */
    String getRemoteAddress();

    /** @return whether a session is open. */
    boolean isLoggedOn();

    /** @return whether the session (or the last one) uses SHM rings. */
    boolean isShm();

    /** @return messages pushed. */
    long getMessagesSent();

    /** @return bytes pushed, headers included. */
    long getBytesSent();

    /** @return messages popped. */
    long getMessagesReceived();

    /** @return bytes popped, headers included. */
    long getBytesReceived();

    /** @return messages sent again after a login. */
    long getMessagesResent();

    /** @return heartbeats sent. */
    long getHeartbeatsSent();

    /** @return heartbeats received. */
    long getHeartbeatsReceived();

    /** @return allocs refused for lack of room. */
    long getAllocsRefused();

    /** @return logins. */
    long getLogins();

    /** @return sessions ended. */
    long getDisconnects();

    /** @return the user time of the last receive. */
    long getLastReceiveTime();

    /** @return the reason of the last disconnect, or an empty string. */
    String getLastDisconnectReason();
}
