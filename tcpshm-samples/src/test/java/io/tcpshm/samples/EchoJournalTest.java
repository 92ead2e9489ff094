package io.tcpshm.samples;

import io.tcpshm.ClientHandler;
import io.tcpshm.LoginResponse;
import io.tcpshm.MsgHeader;
import io.tcpshm.TcpShmClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The echo server's reply journal as a file: a reply journalled by a server killed between the pop of the request
 * and the push of the reply is pushed at the client's next logon, from a journal in this version's layout and from
 * one in the layout of earlier versions alike (the journal's class comment gives both).
 */
class EchoJournalTest
{
    private static final String CLIENT = "cli";
    private static final byte[] PAYLOAD = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    private static final int TYPE = 3;

    @TempDir
    Path tmp;

    @Test
    void aPendingReplyIsPushedAtTheNextLogon() throws Exception
    {
        // pending = 2: type and length as u32 at 24 and 28, the payload from 32
        final ByteBuffer journal = ByteBuffer.allocate(64 + 65536);
        writeHeader(journal, 2);
        journal.putInt(24, TYPE).putInt(28, PAYLOAD.length).put(32, PAYLOAD);
        assertTheReplyArrivesOnceAndTheJournalIsCleared(journal);
    }

    @Test
    void aPendingReplyOfAnEarlierVersionIsPushedToo() throws Exception
    {
        // pending = 1: type and length as u64 at 24 and 32, the payload from 64
        final ByteBuffer journal = ByteBuffer.allocate(64 + 65536);
        writeHeader(journal, 1);
        journal.putLong(24, TYPE).putLong(32, PAYLOAD.length).put(64, PAYLOAD);
        assertTheReplyArrivesOnceAndTheJournalIsCleared(journal);
    }

    /**
     * The request was popped (the server's receive position, 0 for a new connection, is not the journalled one) and
     * the push not made (its send position, 0 as well, is the journalled one).
     */
    private static void writeHeader(final ByteBuffer journal, final long pending)
    {
        final ByteBuffer nativeOrder = journal.duplicate().order(ByteOrder.nativeOrder());
        nativeOrder.putLong(8, 12_345).putLong(16, 0).putLong(0, pending);
    }

    private void assertTheReplyArrivesOnceAndTheJournalIsCleared(final ByteBuffer journal) throws Exception
    {
        final Path serverDir = Files.createDirectories(tmp.resolve("server"));
        final Path journalFile = serverDir.resolve(CLIENT + ".echo-journal");
        Files.write(journalFile, journal.array());
        final List<byte[]> received = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        try (InProcessEchoServer server = new InProcessEchoServer("--ptcp-dir", serverDir.toString(), "--shm-dir",
            Files.createDirectories(tmp.resolve("shm")).toString()))
        {
            final TcpShmClient[] holder = new TcpShmClient[1];
            final TcpShmClient client = new TcpShmClient(CLIENT, Files.createDirectories(tmp.resolve("client")),
                new ConfigOptions().toConfig(), new ClientHandler()
                {
                    @Override
                    public void onSystemError(final String message, final Exception cause)
                    {
                        throw new AssertionError(message, cause);
                    }

                    @Override
                    public long onLoginSuccess(final LoginResponse response)
                    {
                        return System.nanoTime() / 1_000_000_000L; // the unit this test polls with
                    }

                    @Override
                    public void onServerMsg(final MsgHeader header)
                    {
                        final byte[] bytes = new byte[header.payloadLength()];
                        header.buffer().get(header.payloadOffset(), bytes);
                        received.add(bytes);
                        types.add(header.msgType());
                        holder[0].connection().pop();
                    }
                });
            holder[0] = client;
            try
            {
                assertThat(client.connect(false, "127.0.0.1", server.port, null)).as("logged on").isTrue();
                final long deadline = System.nanoTime() + 5_000_000_000L;
                // a second reply would arrive within this time: poll on for a while after the first
                long firstAt = 0;
                while (System.nanoTime() < deadline && (firstAt == 0 || System.nanoTime() - firstAt < 300_000_000L))
                {
                    client.pollTcp(System.nanoTime() / 1_000_000_000L);
                    if (firstAt == 0 && !received.isEmpty())
                    {
                        firstAt = System.nanoTime();
                    }
                }
            }
            finally
            {
                client.stop();
            }
        }
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).containsExactly(PAYLOAD);
        assertThat(types).containsExactly(TYPE);
        final ByteBuffer after = ByteBuffer.wrap(Files.readAllBytes(journalFile)).order(ByteOrder.nativeOrder());
        assertThat(after.getLong(0)).as("nothing pending").isZero();
    }
}
