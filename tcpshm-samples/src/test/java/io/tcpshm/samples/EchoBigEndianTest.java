package io.tcpshm.samples;

import io.tcpshm.tools.CommandRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The samples' {@code --big-endian} end to end: an echo server and client that both say it
 * exchange messages over TCP, and what they queued really is in that byte order (the PTCP files
 * hold messages exactly as they go on the wire). Run also without the option, so that a check that
 * would pass in either order cannot go unnoticed.
 */
class EchoBigEndianTest
{
    private static final int COUNT = 20;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "bigEndian={0}")
    @ValueSource(booleans = {true, false})
    void echoServerAndClientExchangeMessagesInTheConfiguredByteOrder(final boolean bigEndian) throws Exception
    {
        final Path serverDir = Files.createDirectories(tmp.resolve("server"));
        final Path clientDir = Files.createDirectories(tmp.resolve("client"));
        final Path shmDir = Files.createDirectories(tmp.resolve("shm"));
        final List<String> serverArgs = new ArrayList<>(List.of("--ptcp-dir", serverDir.toString(), "--shm-dir",
            shmDir.toString()));
        final List<String> clientArgs = new ArrayList<>(List.of("echo-client", "--tcp", "--ptcp-dir",
            clientDir.toString(), "--shm-dir", shmDir.toString(), "--count", String.valueOf(COUNT), "--mode",
            "ping_pong", "--quiet"));
        if (bigEndian)
        {
            serverArgs.add("--big-endian");
            clientArgs.add("--big-endian");
        }
        try (InProcessEchoServer server = new InProcessEchoServer(serverArgs.toArray(new String[0])))
        {
            clientArgs.addAll(List.of("--port", String.valueOf(server.port)));
            final CommandRun run = CommandRun.run(clientArgs.toArray(new String[0]));
            assertThat(run.exit).as(run.toString()).isZero();
            assertThat(run.out).contains("echo-client cli: " + COUNT + " sent, " + COUNT + " echoed in total");
            assertThat(run.err).isEmpty();
        }
        final ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final ByteOrder other = bigEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;

        // block 0 of either queue holds a message as sent (an acked queue starts again at block 0): an echo message
        // in the configured order, and not one in the other order
        for (final Path ptcp : new Path[] {clientDir.resolve("cli_srv.ptcp"), serverDir.resolve("srv_cli.ptcp")})
        {
            final byte[] bytes = Files.readAllBytes(ptcp);
            assertThat(echoMessageAt0(bytes, order)).as("%s starts with an echo message in %s: %s", ptcp, order,
                hex(bytes, 24)).isNotNull();
            assertThat(echoMessageAt0(bytes, other)).as("%s does not read as one in %s: %s", ptcp, other,
                hex(bytes, 24)).isNull();
            // the u16 size field: the high byte is 0 for these small messages, and it comes first in big-endian
            assertThat(bytes[bigEndian ? 0 : 1]).as("high byte of the size field of %s", ptcp).isZero();
            assertThat(bytes[bigEndian ? 1 : 0]).as("low byte of the size field of %s", ptcp).isNotZero();
        }

        // inspect detects the header byte order of a queue that holds a message: the client's queue as it was just
        // after its last push (before the echo acked it), from the very bytes it wrote
        final Path copy = Files.createDirectories(tmp.resolve("copy"));
        final byte[] bytes = Files.readAllBytes(clientDir.resolve("cli_srv.ptcp"));
        final int[] message = echoMessageAt0(bytes, order);
        final int q = bytes.length - 20;
        final int blocks = (message[0] + 7) / 8;
        final int ack = ByteBuffer.wrap(bytes).order(order).getInt(4);
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(q, blocks).putInt(q + 4, 0).putInt(q + 8, blocks)
            .putInt(q + 12, COUNT - 1).putInt(q + 16, ack);
        Files.write(copy.resolve("cli_srv.ptcp"), bytes);
        final CommandRun run = CommandRun.run("inspect", copy.toString(), "--shm-dir", shmDir.toString(), "--json");
        assertThat(run.exit).as(run.toString()).isZero();
        final JsonNode view = new ObjectMapper().readTree(run.out).get("ptcp").get(0);
        assertThat(view.get("sanity").asText()).as(run.out).isEqualTo("ok");
        assertThat(view.get("messagesQueued").asLong()).isEqualTo(1);
        assertThat(view.get("bytesQueued").asLong()).isEqualTo(8L * blocks);
        assertThat(view.get("headerByteOrder").asText()).isEqualTo(bigEndian ? "big-endian" : "little-endian");
    }

    /**
     * @return {size, type, first number} when the bytes start with a well-formed echo message in {@code order}
     *     (size 8 + 4 type, type 1..4, consecutive numbers below 2 * 4 * COUNT), else null.
     */
    private static int[] echoMessageAt0(final byte[] file, final ByteOrder order)
    {
        final ByteBuffer b = ByteBuffer.wrap(file).order(order);
        final int size = b.getShort(0) & 0xFFFF;
        final int type = b.getShort(2) & 0xFFFF;
        if (type < 1 || type > EchoProtocol.MAX_TYPE || size != 8 + 4 * type)
        {
            return null;
        }
        final int first = b.getInt(8);
        if (first < 0 || first >= EchoProtocol.MAX_TYPE * COUNT)
        {
            return null;
        }
        for (int i = 1; i < type; i++)
        {
            if (b.getInt(8 + 4 * i) != first + i)
            {
                return null;
            }
        }
        return new int[] {size, type, first};
    }

    private static String hex(final byte[] bytes, final int n)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, bytes.length); i++)
        {
            sb.append(String.format("%02x ", bytes[i]));
        }
        return sb.toString().trim();
    }
}
