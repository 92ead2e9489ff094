package io.tcpshm.hostile;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.testing.Await;
import io.tcpshm.testing.Closer;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection abuse against a real server on a fake clock (default settings: maxNewConnections 5,
 * newConnectionTimeout 3, 4 TCP slots): sockets that never log in (silent, half a header, a login
 * trickled one byte per time unit), a flood of sockets, and duplicate names, each while a
 * well-behaved client keeps echoing with nothing lost.
 */
class ConnectionAbuseTest
{
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);
    @RegisterExtension
    final Closer closer = new Closer();
    private TcpShmConfig config;
    private TestServer server;
    private TestClient good;

    @BeforeEach
    void start() throws Exception
    {
        Files.createDirectories(tmp.resolve("shm"));
        config = TcpShmConfig.builder().shmDir(tmp.resolve("shm")).build();
        server = TestServer.echoingOnly(tmp.resolve("server"), config, clock, Set.of("good", "late", "hog"));
        good = new TestClient("good", tmp.resolve("good"), config, clock).withDetailedRejects();
        assertThat(good.connect(false, server.port())).as(good.events.toString()).isTrue();
        good.echoMore(5);
    }

    @AfterEach
    void stop() throws Exception
    {
        closer.closeAll(); // the peers first: the checks below are about what the server did with them
        assertThat(good.received).as("every message echoed exactly once").isEqualTo(good.sent);
        assertThat(good.events.all()).as("the well-behaved client saw only its login").containsExactly("loginSuccess srv");
        good.close();
        server.close();
        assertThat(server.errors).isEmpty();
    }

    private RawPeer peer() throws Exception
    {
        final RawPeer p = new RawPeer(server.port());
        closer.keep(p);
        return p;
    }

    /** One unit of fake time; the server and the well-behaved client poll at it and the client echoes. */
    private void tick()
    {
        clock.incrementAndGet();
        server.awaitIterations(3);
        good.echoMore(2);
        server.awaitIterations(3);
    }

    @Test
    void socketsThatNeverLogInDoNotBlockOtherLoginsAndAreClosedAtNewConnectionTimeout() throws Exception
    {
        final long accepted = clock.get();
        final RawPeer silent = peer();
        final RawPeer halfHeader = peer();
        halfHeader.send(new byte[] {WireModel.LOGIN_SIZE, 0, 1, 0});
        final RawPeer trickle = peer();
        final byte[] login = HostileInput.validLogin("trickle");
        trickle.send(new byte[] {login[0]});
        final List<RawPeer> loris = List.of(silent, halfHeader, trickle);
        server.awaitIterations(10);

        // a fourth socket logs in at once: the three pending ones hold three of five places
        final TestClient late = new TestClient("late", tmp.resolve("late"), config, clock).withDetailedRejects();
        closer.keep(late);
        assertThat(late.connect(false, server.port())).as(late.events.toString()).isTrue();
        late.echoMore(3);

        int sentBytes = 1;
        while (clock.get() - accepted < config.newConnectionTimeout())
        {
            tick();
            late.echoMore(1);
            trickle.send(new byte[] {login[sentBytes++]});
            server.awaitIterations(3);
            for (final RawPeer p : loris)
            {
                assertThat(p.closedByServer()).as("open at %d units after accept", clock.get() - accepted).isFalse();
            }
        }
        tick(); // newConnectionTimeout + 1 after the accept: every one of them is over time
        late.echoMore(1);
        for (final RawPeer p : loris)
        {
            assertThat(Await.until(p::closedByServer)).as("closed after newConnectionTimeout").isTrue();
            assertThat(p.received()).as("closed without a response").isEmpty();
        }
        assertThat(server.logons).containsExactly("good", "late");
        assertThat(server.takeDisconnects()).isEmpty();
    }

    @Test
    void whenEveryPendingPlaceIsTakenALoginIsDelayedUntilTheyTimeOutNotRefused() throws Exception
    {
        final List<RawPeer> loris = new ArrayList<>();
        for (int i = 0; i < config.maxNewConnections() + 2; i++)
        {
            loris.add(peer());
        }
        server.awaitIterations(20);
        final TestClient late = new TestClient("late", tmp.resolve("late"), config, clock).withDetailedRejects();
        closer.keep(late);
        final AtomicBoolean result = new AtomicBoolean();
        final Thread connecting = new Thread(() -> result.set(late.connect(false, server.port())));
        connecting.start();
        // its login waits behind five silent sockets; time moves on, the live client keeps echoing
        for (int t = 0; t < 30 && connecting.isAlive(); t++)
        {
            tick();
            connecting.join(20);
        }
        connecting.join(10_000);
        assertThat(result.get()).as(late.events.toString()).isTrue();
        late.echoMore(5);
        for (int t = 0; t < 10; t++)
        {
            tick();
        }
        for (final RawPeer p : loris)
        {
            assertThat(Await.until(p::closedByServer)).as("every silent socket is closed").isTrue();
            assertThat(p.received()).isEmpty();
        }
        assertThat(server.logons).containsExactly("good", "late");
    }

    @Test
    void aFloodOfSocketsIsAbsorbedAndEveryOneIsClosedWhileALiveClientEchoes() throws Exception
    {
        final List<RawPeer> flood = new ArrayList<>();
        for (int i = 0; i < 8 * config.maxNewConnections(); i++)
        {
            final RawPeer p = peer();
            switch (i % 4)
            {
                case 0 -> { } // silent
                case 1 -> p.send(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}); // not a login header
                case 2 -> p.send(new byte[] {WireModel.LOGIN_SIZE, 0, 1, 0, 0}); // half a login header
                default -> p.send(HostileInput.login("x/" + i, "", false)); // a whole login with a bad name
            }
            flood.add(p);
            if (i % 5 == 0)
            {
                good.echoMore(1);
            }
        }
        int ticks = 0;
        while (!flood.stream().allMatch(RawPeer::closedByServer))
        {
            assertThat(ticks++).as("flood sockets still open: %d", flood.stream().filter(p -> !p.closedByServer()).count())
                .isLessThan(200);
            tick();
        }
        for (int i = 0; i < flood.size(); i++)
        {
            final byte[] r = flood.get(i).received();
            if (i % 4 == 3)
            {
                assertThat(r.length).as("a bad name gets a response").isEqualTo(WireModel.RSP_FRAME);
                assertThat(r[WireModel.RSP_STATUS]).isEqualTo((byte)2);
            }
            else
            {
                assertThat(r).isEmpty();
            }
        }
        good.echoMore(20);
        assertThat(server.logons).containsExactly("good");
        assertThat(server.takeDisconnects()).isEmpty();
        assertThat(tmp.resolve("server")).isDirectoryNotContaining(p -> !p.getFileName().toString().equals("srv_good.ptcp") &&
            !p.getFileName().toString().equals("srv.lock"));
    }

    @Test
    void duplicateNamesAreRefusedWhileTheFirstStaysLive() throws Exception
    {
        // raw logins with the live name: as a new connection (which would reset its files), as a resumed one
        // with absurd numbers, over SHM; then a real client with the same name from another directory
        final byte[][] logins = {
            HostileInput.login("good", "", false),
            HostileInput.login("good", "srv", false),
            HostileInput.login("good", "other", true),
            HostileInput.login("good", "srv", true),
        };
        for (int round = 0; round < 5; round++)
        {
            for (final byte[] login : logins)
            {
                final RawPeer p = peer();
                assertThat(p.login(login)).isEqualTo(2);
                assertThat(p.errorMessage()).isEqualTo("Already logged on");
                assertThat(Await.until(p::closedByServer)).isTrue();
                good.echoMore(3);
            }
            final TestClient twin = new TestClient("good", tmp.resolve("twin" + round), config, clock).withDetailedRejects();
            closer.keep(twin);
            assertThat(twin.connect(false, server.port())).isFalse();
            assertThat(twin.events.all()).singleElement().asString().startsWith("loginReject status=2 Already logged on");
            good.echoMore(3);
            tick();
        }
        assertThat(server.logons).containsExactly("good");
        assertThat(server.takeDisconnects()).isEmpty();
    }

    /**
     * A peer that sends without ever acking or reading: the server's queue fills (the echo cannot be
     * pushed, so its message stays unpopped), its receive buffer fills behind that message, then the
     * peer goes silent. The server must still time the connection out, not keep the slot forever.
     */
    @Test
    void aPeerThatFillsTheServerAndGoesSilentTimesOut() throws Exception
    {
        final RawPeer hog = peer();
        assertThat(hog.login(HostileInput.validLogin("hog"))).isZero();
        final byte[] msg = HostileInput.frame(100, 5, 0, (byte)1, 104);
        for (int i = 0; i < 200; i++)
        {
            hog.send(msg); // 20 kB, never acking the echoes (ack 0) and never reading
        }
        server.awaitIterations(200);
        // The hog's last bytes may still reach the server a few ticks from now (its kernel may hold them for
        // a delayed ack), which restarts the timeout; so tick until the close, within a generous bound,
        // and check the bound that matters: closed at most connectionTimeout + 1 after the last receive.
        final long bound = clock.get() + 5 * config.connectionTimeout();
        while (server.disconnects.isEmpty() && clock.get() < bound)
        {
            tick();
        }
        assertThat(Await.until(() -> !server.disconnects.isEmpty())).as("the silent hog is closed").isTrue();
        assertThat(server.takeDisconnects()).singleElement()
            .satisfies(d -> assertThat(d.name()).isEqualTo("hog"))
            .satisfies(d -> assertThat(d.reason()).isEqualTo("Timeout"))
            .satisfies(d -> assertThat(d.at() - d.lastReceiveTime())
                .as("closed within connectionTimeout + 1 of the last receive")
                .isBetween(config.connectionTimeout() + 1, config.connectionTimeout() + 2));
        good.echoMore(10);
    }

    @Test
    void manyDistinctNamesDoNotMakeTheServerKeepFilesOpen() throws Exception
    {
        final long before = openFiles();
        for (int i = 0; i < 60; i++)
        {
            final RawPeer p = peer();
            assertThat(p.login(HostileInput.login("n" + i, "", i % 2 == 0))).isZero();
            p.close();
            assertThat(Await.until(() -> !server.disconnects.isEmpty())).isTrue();
            server.takeDisconnects();
            if (i % 10 == 0)
            {
                good.echoMore(1);
            }
        }
        closer.closeAll(); // all closed already
        // slots keep the files of their last client: at most every slot's, whatever the number of names
        assertThat(openFiles() - before).isLessThan(2L * (config.maxTcpConnectionsPerGroup() + config.maxShmConnectionsPerGroup()) + 10);
    }

    private static long openFiles() throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    @Test
    void moreLoginsThanSlotsAreRefusedWithoutHarmingTheLiveOnes() throws Exception
    {
        final List<RawPeer> live = new ArrayList<>();
        for (int i = 1; i < config.maxTcpConnectionsPerGroup(); i++)
        {
            final RawPeer p = peer();
            assertThat(p.login(HostileInput.validLogin("c" + i))).isZero();
            live.add(p);
        }
        for (int i = 0; i < 3; i++)
        {
            final RawPeer extra = peer();
            assertThat(extra.login(HostileInput.validLogin("extra" + i))).isEqualTo(2);
            assertThat(extra.errorMessage()).isEqualTo("Max client cnt exceeded");
            good.echoMore(3);
        }
        for (final RawPeer p : live)
        {
            p.close();
        }
        assertThat(Await.until(() -> server.disconnects.size() == live.size())).isTrue();
        assertThat(server.takeDisconnects()).allSatisfy(d -> assertThat(d.reason()).startsWith("Remote close"));
        good.echoMore(10);
    }
}
