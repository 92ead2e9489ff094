package io.tcpshm.bench.jmh;

import io.tcpshm.ClientHandler;
import io.tcpshm.LoginRequest;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.ServerHandler;
import io.tcpshm.TcpShmClient;
import io.tcpshm.TcpShmConfig;
import io.tcpshm.TcpShmConnection;
import io.tcpshm.TcpShmServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One message through the public API of a logged-on connection, in one thread: the client's
 * {@code alloc}, payload write and {@code push}, then the server's poll, which delivers it to the
 * callback that {@code pop}s it. On SHM that is the whole path; on TCP it crosses the loopback
 * socket (a write and a read) and the client's poll takes the acks. Compared with
 * {@code QueueBenchmarks} (the bare ring and queue) it shows the cost of the API layer, the
 * per-connection counters included; with {@code -prof gc} it shows that the layer allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConnectionBenchmarks
{
    /** When "true", both sides register their connections' MXBeans ({@link ConnectionBenchmarksMXBeans}). */
    static final String MXBEANS_PROPERTY = "tcpshm.jmh.mxbeans";

    /**
     * When "true", the platform MBean server is started and nothing registered in it
     * ({@link ConnectionBenchmarksMBeanServer}): what the JVM changes, apart from the beans.
     */
    static final String MBEAN_SERVER_PROPERTY = "tcpshm.jmh.mbeanserver";

    /** The connection's transport. */
    @Param({"shm", "tcp"})
    public String transport;

    private Path dir;
    private TcpShmServer server;
    private TcpShmClient client;
    private TcpShmConnection conn;
    private boolean shm;
    private long received;
    private long seq;

    /**
     * Starts a server and logs a client on.
     *
     * @throws Exception when the login fails.
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        shm = "shm".equals(transport);
        if (Boolean.getBoolean(MBEAN_SERVER_PROPERTY))
        {
            java.lang.management.ManagementFactory.getPlatformMBeanServer();
        }
        dir = Files.createTempDirectory("tcpshm-jmh-conn");
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(dir).shmQueueSize(1 << 16).tcpQueueSize(1 << 20)
            .registerMXBeans(Boolean.getBoolean(MXBEANS_PROPERTY)).build();
        server = new TcpShmServer("jsrv", dir.resolve("s"), config, new ServerHandler()
        {
            @Override
            public void onSystemError(final String message, final Exception cause)
            {
                System.err.println("server: " + message);
            }

            @Override
            public int onNewConnection(final InetSocketAddress a, final LoginRequest login, final LoginResponse rsp)
            {
                return 0;
            }

            @Override
            public void onClientMsg(final TcpShmConnection c, final MsgHeader header)
            {
                received += header.buffer().getLong(header.payloadOffset());
                c.pop();
            }
        });
        if (!server.start("127.0.0.1", 0))
        {
            throw new IllegalStateException("server did not start");
        }
        final AtomicBoolean polling = new AtomicBoolean(true);
        final Thread poller = new Thread(() ->
        {
            while (polling.get())
            {
                server.pollCtl(0);
            }
        });
        poller.start();
        client = new TcpShmClient("jcli", dir.resolve("c"), config, new ClientHandler()
        {
            @Override
            public void onSystemError(final String message, final Exception cause)
            {
                System.err.println("client: " + message);
            }

            @Override
            public long onLoginSuccess(final LoginResponse response)
            {
                return 0;
            }

            @Override
            public void onServerMsg(final MsgHeader header)
            {
            }
        });
        final boolean ok = client.connect(shm, "127.0.0.1", server.localPort(), null);
        polling.set(false);
        poller.join();
        if (!ok)
        {
            throw new IllegalStateException("login failed");
        }
        for (int i = 0; i < 1000; i++)
        {
            server.pollCtl(0); // let the connection join its group
        }
        conn = client.connection();
    }

    /**
     * Stops both sides.
     *
     * @throws IOException never in practice.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        client.stop();
        server.stop();
    }

    /**
     * @return the sum of the payloads delivered, so the work is not optimised away.
     */
    @Benchmark
    public long allocPushPollPop()
    {
        MsgHeader h = conn.alloc(32);
        while (h == null)
        {
            client.pollTcp(0); // TCP: the acks that free the queue
            server.pollTcp(0, 0);
            h = conn.alloc(32);
        }
        final long value = ++seq;
        h.msgType(1);
        h.buffer().putLong(h.payloadOffset(), value);
        conn.push();
        final long expected = received + value;
        if (shm)
        {
            server.pollShm(0);
        }
        else
        {
            while (received != expected)
            {
                server.pollTcp(0, 0);
            }
            client.pollTcp(0);
        }
        return received;
    }

    /**
     * A client poll that finds nothing: what each turn of an idle loop costs.
     *
     * @return the poll's work count (0), so the call is not optimised away.
     */
    @Benchmark
    public int clientIdlePoll()
    {
        return shm ? client.pollShm() : client.pollTcp(0);
    }
}
