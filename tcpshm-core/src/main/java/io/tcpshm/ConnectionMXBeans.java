package io.tcpshm;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The {@link ConnectionMXBean}s of one client or server: registered in the platform MBean server at its
 * start, unregistered at its stop. Registration happens once, on the thread that creates the client or
 * starts the server; the beans only read what the connections already keep.
 */
final class ConnectionMXBeans
{
    private final List<ObjectName> registered = new ArrayList<>();

    private ConnectionMXBeans()
    {
    }

    /**
     * Registers a bean per connection. A name already taken (another client or server of the same name in
     * this JVM) is reported through {@code onError} and the other beans are registered all the same.
     *
     * @param side        "client" or "server".
     * @param local       the client's or server's name.
     * @param slots       a label per connection, for its object name.
     * @param connections the connections.
     * @param onError     receives a message and its cause for each bean that could not be registered.
     * @return the registrations, to {@link #unregister()} at the stop.
     */
    static ConnectionMXBeans register(final String side, final String local, final String[] slots,
        final TcpShmConnection[] connections, final BiConsumer<String, Exception> onError)
    {
        final ConnectionMXBeans beans = new ConnectionMXBeans();
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int i = 0; i < connections.length; i++)
        {
            try
            {
                final ObjectName name = new ObjectName("io.tcpshm:type=Connection,side=" + side + ",local=" +
                    ObjectName.quote(local) + ",slot=" + slots[i]);
                server.registerMBean(new Bean(connections[i]), name);
                beans.registered.add(name);
            }
            catch (final JMException | RuntimeException ex)
            {
                onError.accept("JMX: cannot register the MXBean of " + side + " " + local + " connection " + slots[i] +
                    ": " + ex, ex);
            }
        }
        return beans;
    }

    /** Unregisters every bean this registered (a bean someone else removed already is skipped). */
    void unregister()
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (final ObjectName name : registered)
        {
            try
            {
                server.unregisterMBean(name);
            }
            catch (final JMException ignore)
            {
                // gone already
            }
        }
        registered.clear();
    }

    /** One connection's view. */
    private static final class Bean implements ConnectionMXBean
    {
        private final TcpShmConnection conn;
        private final ConnectionStats stats;

        Bean(final TcpShmConnection conn)
        {
            this.conn = conn;
            this.stats = conn.stats();
        }

        @Override
        public String getLocalName()
        {
            return conn.localName();
        }

        @Override
        public String getRemoteName()
        {
            final String name = conn.remoteName();
            return name == null ? "" : name;
        }

        @Override
        public String getRemoteAddress()
        {
            final String address = conn.remoteAddress();
            return address == null ? "" : address;
        }

        @Override
        public boolean isLoggedOn()
        {
            return !conn.isClosed();
        }

        @Override
        public boolean isShm()
        {
            return conn.isShm();
        }

        @Override
        public long getMessagesSent()
        {
            return stats.messagesSent();
        }

        @Override
        public long getBytesSent()
        {
            return stats.bytesSent();
        }

        @Override
        public long getMessagesReceived()
        {
            return stats.messagesReceived();
        }

        @Override
        public long getBytesReceived()
        {
            return stats.bytesReceived();
        }

        @Override
        public long getMessagesResent()
        {
            return stats.messagesResent();
        }

        @Override
        public long getHeartbeatsSent()
        {
            return stats.heartbeatsSent();
        }

        @Override
        public long getHeartbeatsReceived()
        {
            return stats.heartbeatsReceived();
        }

        @Override
        public long getAllocsRefused()
        {
            return stats.allocsRefused();
        }

        @Override
        public long getLogins()
        {
            return stats.logins();
        }

        @Override
        public long getDisconnects()
        {
            return stats.disconnects();
        }

        @Override
        public long getLastReceiveTime()
        {
            return stats.lastReceiveTime();
        }

        @Override
        public String getLastDisconnectReason()
        {
            return stats.lastDisconnectReason();
        }
    }
}
