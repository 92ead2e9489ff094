package io.tcpshm;

import io.tcpshm.testing.Closer;
import io.tcpshm.testing.Events;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the server's login callback decides and sees:
 * <ul>
 *   <li>a group id out of range returned by {@code onNewConnection} (docs/PROTOCOL.md, "Server side of a
 *   login" step 3: "a group id out of range is reported through onSystemError and answered 'Login Reject'");</li>
 *   <li>the login user data as the server receives it when the client passes more (or fewer) bytes than
 *   {@code loginUserDataSize} to {@link TcpShmClient#connect}.</li>
 * </ul>
 */
class LoginCallbackTest
{
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);
    @RegisterExtension
    final Closer closer = new Closer();

    /**
     * A server whose {@code onNewConnection} returns what {@link #groupFor} says and records the login it saw;
     * echoes every message; polled by its own thread on the fake clock.
     */
    private static final class HookedServer implements ServerHandler, AutoCloseable
    {
        final Events events = new Events();
        final TcpShmServer server;
        final TcpShmConfig config;
        final AtomicLong clock;
        volatile ToIntFunction<LoginRequest> groupFor = login -> 0;
        volatile byte[] userData;
        volatile String clientName;
        volatile String lastServerName;
        volatile boolean useShm;
        private volatile boolean running = true;
        private volatile Throwable failure;
        private final Thread thread;

        HookedServer(final Path dir, final TcpShmConfig config, final AtomicLong clock)
        {
            this.config = config;
            this.clock = clock;
            server = new TcpShmServer("srv", dir, config, this);
            assertThat(server.start("127.0.0.1", 0)).as(events.toString()).isTrue();
            thread = new Thread(this::run, "hooked-server");
            thread.setDaemon(true);
            thread.start();
        }

        private void run()
        {
            try
            {
                while (running)
                {
                    final long now = clock.get();
                    server.pollCtl(now);
                    for (int g = 0; g < config.maxTcpGroups(); g++)
                    {
                        server.pollTcp(now, g);
                    }
                    for (int g = 0; g < config.maxShmGroups(); g++)
                    {
                        server.pollShm(g);
                    }
                    Thread.onSpinWait();
                }
            }
            catch (final Throwable t)
            {
                failure = t;
            }
        }

        int port()
        {
            return server.localPort();
        }

        @Override
        public void close()
        {
            running = false;
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            server.stop();
            if (failure != null)
            {
                throw new AssertionError("server thread failed", failure);
            }
        }

        @Override
        public void onSystemError(final String message, final Exception cause)
        {
            events.add("systemError " + message);
        }

        @Override
        public int onNewConnection(final InetSocketAddress remoteAddress, final LoginRequest login,
            final LoginResponse response)
        {
            final byte[] ud = new byte[login.userDataLength()];
            for (int i = 0; i < ud.length; i++)
            {
                ud[i] = login.userData().get(login.userDataOffset() + i);
            }
            userData = ud;
            clientName = login.clientName();
            lastServerName = login.lastServerName();
            useShm = login.useShm();
            final int group = groupFor.applyAsInt(login);
            events.add("newConnection " + login.clientName() + " shm=" + login.useShm() + " -> " + group);
            return group;
        }

        @Override
        public void onClientFileError(final TcpShmConnection conn, final String reason, final Exception cause)
        {
            events.add("fileError " + reason);
        }

        @Override
        public void onSeqNumberMismatch(final TcpShmConnection conn, final long localAck, final long localSeqStart,
            final long localSeqEnd, final long remoteAck, final long remoteSeqStart, final long remoteSeqEnd)
        {
            events.add("seqMismatch");
        }

        @Override
        public void onClientLogon(final InetSocketAddress remoteAddress, final TcpShmConnection conn)
        {
            events.add("logon " + conn.remoteName());
        }

        @Override
        public void onClientDisconnected(final TcpShmConnection conn, final DisconnectReason reason, final String detail,
            final Exception cause)
        {
            events.add("disconnected " + conn.remoteName() + " " + reason.describe(detail));
        }

        @Override
        public void onClientMsg(final TcpShmConnection conn, final MsgHeader header)
        {
            final int length = header.payloadLength();
            final MsgHeader out = conn.alloc(length);
            if (out == null)
            {
                return;
            }
            out.msgType(header.msgType());
            out.buffer().put(out.payloadOffset(), header.buffer(), header.payloadOffset(), length);
            conn.pop();
            conn.push();
        }
    }

    private TcpShmConfig.Builder base() throws IOException
    {
        Files.createDirectories(tmp.resolve("shm"));
        return TestConfigs.noTimeouts(tmp.resolve("shm"));
    }

    private boolean serverHasFilesOf(final String client) throws IOException
    {
        try (var shm = Files.list(tmp.resolve("shm"));
             var ptcp = Files.list(tmp.resolve("server")))
        {
            return shm.anyMatch(f -> f.getFileName().toString().contains(client)) ||
                ptcp.anyMatch(f -> f.getFileName().toString().contains(client));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // group id out of range

    @ParameterizedTest(name = "shm={0}, groups={1}, returned={2}")
    @CsvSource({
        "false, 2, 2",
        "false, 2, 2147483647",
        "true, 1, 1",
        "true, 1, 2", // a valid TCP group (there are 3), but there is 1 SHM group
        "true, 0, 0", // a server with no SHM group at all
    })
    void aGroupIdOutOfRangeIsRejectedAndReported(final boolean shm, final int groups, final int returned)
        throws Exception
    {
        final TcpShmConfig config = base().maxTcpGroups(shm ? 3 : groups).maxShmGroups(shm ? groups : 1).build();
        final HookedServer s = closer.keep(new HookedServer(tmp.resolve("server"), config, clock));
        s.groupFor = login -> returned;
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(shm, s.port())).isFalse();
        assertThat(c.events.all()).containsExactly("loginReject Login Reject");
        assertThat(s.events.all()).containsExactly("newConnection cli shm=" + shm + " -> " + returned,
            "systemError onNewConnection returned " + (shm ? "SHM" : "TCP") + " group " + returned + " but there are " +
            groups);
        assertThat(serverHasFilesOf("cli")).as("files created for the rejected login").isFalse();
        assertThat(c.client.lastServerName()).isEmpty();

        if (groups > 0)
        {
            // the highest valid group works, and the server serves it
            s.groupFor = login -> groups - 1;
            c.events.clear();
            assertThat(c.connect(shm, s.port())).as("client %s; server %s", c.events, s.events).isTrue();
            final TcpShmConnection[] slots = shm ? s.server.shmGroupConnections(groups - 1) :
                s.server.tcpGroupConnections(groups - 1);
            assertThat(Arrays.stream(slots).anyMatch(x -> "cli".equals(x.remoteName()))).as("slot in group %d",
                groups - 1).isTrue();
            c.echoMore(20);
        }
    }

    @Test
    void aNegativeGroupOtherThanMinusOneIsARejectionNotASystemError() throws Exception
    {
        // ServerHandler: "a negative id (-1) to reject"; any negative value is a rejection, like C++ (grpid < 0)
        final TcpShmConfig config = base().build();
        final HookedServer s = closer.keep(new HookedServer(tmp.resolve("server"), config, clock));
        s.groupFor = login -> Integer.MIN_VALUE;
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThat(c.connect(false, s.port())).isFalse();
        assertThat(c.events.all()).containsExactly("loginReject Login Reject");
        assertThat(s.events.all()).containsExactly("newConnection cli shm=false -> " + Integer.MIN_VALUE);
    }

    // ---------------------------------------------------------------------------------------------
    // login user data of another length than loginUserDataSize

    private static final int U = 4;

    private byte[] userDataSeenByServer(final boolean shm, final byte[] given) throws Exception
    {
        final TcpShmConfig config = base().loginUserData(U, 4).build();
        final HookedServer s = closer.keep(new HookedServer(tmp.resolve("server"), config, clock));
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        c.shm = shm;
        final boolean ok = c.client.connect(shm, "127.0.0.1", s.port(), given);
        assertThat(ok).as("login with %s bytes of user data; client %s; server %s",
            given == null ? "null" : given.length, c.events, s.events).isTrue();
        assertThat(c.events.all()).containsExactly("loginSuccess srv");
        // the bytes after the user data field are intact: the flag, the names
        assertThat(s.clientName).isEqualTo("cli");
        assertThat(s.lastServerName).isEmpty();
        assertThat(s.useShm).isEqualTo(shm);
        c.echoMore(20);
        return s.userData;
    }

    /**
     * Review finding (this audit): user data longer than {@code loginUserDataSize} was cut silently, so a
     * server could accept another credential than the one given. It is a programmer error now: connect
     * throws, naming the setting, and sends nothing.
     */
    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void longerUserDataThanTheConfiguredSizeFailsFastAndSendsNothing(final boolean shm) throws Exception
    {
        final byte[] given = new byte[] {1, 2, 3, 4, 5};
        final TcpShmConfig config = base().loginUserData(U, 4).build();
        final HookedServer s = closer.keep(new HookedServer(tmp.resolve("server"), config, clock));
        final TestClient c = closer.keep(new TestClient("cli", tmp.resolve("client"), config, clock));
        assertThatThrownBy(() -> c.client.connect(shm, "127.0.0.1", s.port(), given))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("loginUserData of 5 bytes is longer than loginUserDataSize (4)");
        assertThat(c.events.all()).isEmpty();
        assertThat(s.clientName).as("no login reached the server").isNull();
    }

    @ParameterizedTest(name = "shm={0}")
    @ValueSource(booleans = {false, true})
    void shorterUserDataIsPaddedWithZeros(final boolean shm) throws Exception
    {
        assertThat(userDataSeenByServer(shm, new byte[] {(byte)0xAA, (byte)0xBB})).containsExactly(0xAA, 0xBB, 0, 0);
    }

    @Test
    void nullUserDataIsAllZeros() throws Exception
    {
        assertThat(userDataSeenByServer(false, null)).containsExactly(0, 0, 0, 0);
    }
}
