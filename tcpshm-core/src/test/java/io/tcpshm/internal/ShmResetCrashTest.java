package io.tcpshm.internal;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.testing.TestClient;
import io.tcpshm.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review finding: the rings' sanity check ran whenever their files were opened, before the server
 * decided to reset the connection, so rings left half zeroed by a process killed inside its reset
 * (ours, or a C++ peer inside its {@code memset}) made every later login fail with "System error",
 * even the login that would have zeroed them. Now only a resuming login checks them, and a reset
 * zeroes the index words first.
 *
 * <p>Each case plays a crash at one step of a reset on both rings (our {@code zero} stopped by its
 * test hook after {@code k} 8-byte stores, or a C++ style {@code memset} from byte 0 stopped after
 * {@code k} bytes), then a client that knows no server logs in over SHM: the server resets the
 * connection, and messages must flow both ways.
 */
class ShmResetCrashTest
{
    @TempDir
    Path tmp;

    private static final int SHM_QUEUE = 2048;
    private static final int FILE = ShmRing.fileSize(SHM_QUEUE);
    private static final int INDEX = FILE - ShmRing.INDEX_AREA;

    private final AtomicLong clock = new AtomicLong(1000);

    /** A crash that stops a reset part way. */
    private static final class Crash extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void aResetLoginSucceedsAfterACrashAtAnyStepOfOurZeroing() throws Exception
    {
        final List<Integer> steps = new ArrayList<>();
        for (int k = 0; k <= ShmRing.INDEX_AREA / 8 + 1; k++)
        {
            steps.add(k); // every step in the index area, and the first of the blocks
        }
        for (int k = ShmRing.INDEX_AREA / 8 + 16; k < FILE / 8; k += 64)
        {
            steps.add(k);
        }
        for (final int k : steps)
        {
            final Path dir = tmp.resolve("zero-" + k);
            final TcpShmConfig config = config(dir);
            damagedRings(config, (region, ring) -> zeroThenCrash(region, k));
            resetLoginWorks(dir, config, "after " + k + " of our zeroing's 8-byte stores");
        }
    }

    @Test
    void aResetLoginSucceedsAfterACppPeerDiedInsideItsMemset() throws Exception
    {
        // memset runs from byte 0 up: the blocks, then writeIdx (at INDEX), then readIdx (at INDEX + 128)
        for (final int k : new int[] {0, 64, SHM_QUEUE / 2, INDEX, INDEX + 4, INDEX + 8, INDEX + 64, INDEX + 128,
            INDEX + 132, FILE})
        {
            final Path dir = tmp.resolve("memset-" + k);
            final TcpShmConfig config = config(dir);
            damagedRings(config, (region, ring) ->
            {
                for (int i = 0; i < k; i++)
                {
                    ring.put(i, (byte)0);
                }
            });
            resetLoginWorks(dir, config, "after " + k + " bytes of a memset");
        }
    }

    @Test
    void aResumingLoginStillRefusesARingWhoseIndicesDisagree() throws Exception
    {
        final Path dir = tmp.resolve("resume");
        final TcpShmConfig config = config(dir);
        // a client that knows its server resumes; the ring it sends on has writeIdx zeroed, readIdx not
        Files.createDirectories(dir.resolve("client"));
        try (MappedRegion last = MappedRegion.openOwned(dir.resolve("client").resolve("cli.lastserver"), 16, false, 0, 16))
        {
            LoginCodec.putName(last.buffer(), 0, "srv", 16);
        }
        damagedRings(config, (region, ring) -> ring.putInt(INDEX, 0));
        try (TestServer server = new TestServer("srv", dir.resolve("server"), config, clock);
             TestClient client = new TestClient("cli", dir.resolve("client"), config, clock))
        {
            assertThat(client.connect(true, server.port())).isFalse();
            assertThat(client.events.all()).singleElement().asString()
                .startsWith("systemError SHM ring " + config.shmDir().resolve("cli_srv.shm") + " is corrupt: writeIdx 0 ");
        }
    }

    private static TcpShmConfig config(final Path dir) throws IOException
    {
        Files.createDirectories(dir.resolve("shm"));
        return TcpShmConfig.builder().shmDir(dir.resolve("shm")).shmQueueSize(SHM_QUEUE)
            .connectionTimeout(1_000_000).newConnectionTimeout(1_000_000).build();
    }

    private interface Damage
    {
        void apply(MappedRegion region, ByteBuffer ring);
    }

    /**
     * Both rings of cli/srv as a session left them (writeIdx 1000 and readIdx 990: ten blocks unconsumed,
     * indices far from 0, every block non-zero), then damaged.
     */
    private static void damagedRings(final TcpShmConfig config, final Damage damage) throws IOException
    {
        for (final String name : new String[] {"cli_srv.shm", "srv_cli.shm"})
        {
            try (MappedRegion region = MappedRegion.open(config.shmDir().resolve(name), FILE, false, 0, 0))
            {
                final ByteBuffer ring = region.buffer().duplicate().order(ByteOrder.nativeOrder());
                for (int i = 0; i < SHM_QUEUE; i++)
                {
                    ring.put(i, (byte)0x5a);
                }
                ring.putInt(INDEX, 1000);
                ring.putInt(INDEX + 4, 990);
                ring.putInt(INDEX + 128, 990);
                assertThat(ShmRing.sanityCheck(ring, SHM_QUEUE)).isNull();
                damage.apply(region, ring);
            }
        }
    }

    /** The zeroing of a reset, stopped by a crash after {@code steps} of its 8-byte stores. */
    private static void zeroThenCrash(final MappedRegion region, final int steps)
    {
        if (steps == 0)
        {
            return;
        }
        final int[] done = {0};
        try
        {
            region.zero(INDEX, () ->
            {
                if (++done[0] == steps)
                {
                    throw new Crash();
                }
            });
        }
        catch (final Crash expected)
        {
            // the process died here
        }
    }

    private void resetLoginWorks(final Path dir, final TcpShmConfig config, final String what)
    {
        try (TestServer server = new TestServer("srv", dir.resolve("server"), config, clock);
             TestClient client = new TestClient("cli", dir.resolve("client"), config, clock))
        {
            assertThat(client.connect(true, server.port())).as("SHM login %s; client %s, server %s", what,
                client.events, server.events).isTrue();
            final boolean echoed = client.pollUntil(() ->
            {
                while (client.sent < 100 && client.trySend(false))
                {
                    // fill
                }
                return client.received == 100;
            }, 20_000);
            assertThat(echoed).as("100 echoes over the reset rings %s; got %d", what, client.received).isTrue();
        }
    }
}
