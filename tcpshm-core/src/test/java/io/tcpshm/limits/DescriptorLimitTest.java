package io.tcpshm.limits;

import io.tcpshm.TcpShmConfig;
import io.tcpshm.testing.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server whose process has no file descriptor left (run in a child JVM, {@link DescriptorHogServer}, which takes
 * them all): it says so once, in words that name the limit, keeps serving the client it has, and accepts the waiting
 * clients once descriptors are free again.
 */
class DescriptorLimitTest
{
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1000);

    @Test
    void outOfDescriptorsTheServerSaysSoOnceAndServesTheConnectionsItHas() throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            DescriptorHogServer.class.getName(), tmp.resolve("server").toString()).redirectErrorStream(true).start();
        final List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8))
        {
            final String first = out.readLine();
            assertThat(first).startsWith("PORT ");
            final int port = Integer.parseInt(first.substring(5));
            final TcpShmConfig config = TcpShmConfig.builder().loginTimeoutMillis(1000).connectionTimeout(1_000_000).build();
            // every path a login, an echo and a disconnect take is loaded before the descriptors are gone
            final TestClient warm = new TestClient("warm", tmp.resolve("warm"), config, clock);
            assertThat(warm.connect(false, port)).isTrue();
            warm.echoMore(10);
            warm.close();
            final TestClient a = new TestClient("a", tmp.resolve("a"), config, clock);
            assertThat(a.connect(false, port)).as("a: %s", a.events).isTrue();
            a.echoMore(10);
            command(in, out, lines, "hog 0", "HOGGED");
            final TestClient b = new TestClient("b", tmp.resolve("b"), config, clock);
            final TestClient c = new TestClient("c", tmp.resolve("c"), config, clock);
            assertThat(b.connect(false, port)).as("b cannot log on: the server cannot accept it").isFalse();
            assertThat(c.connect(false, port)).isFalse();
            a.echoMore(100); // the connection it has is served all along
            command(in, out, lines, "free 16", "FREED");
            boolean in1 = false;
            for (int i = 0; i < 20 && !in1; i++)
            {
                in1 = b.connect(false, port);
            }
            assertThat(in1).as("b logs on once there are descriptors again: %s", b.events).isTrue();
            b.echoMore(10);
            a.echoMore(10);
            a.close();
            b.close();
            c.close();
            in.write("exit 0\n");
            in.flush();
            for (String line; (line = out.readLine()) != null; )
            {
                lines.add(line);
            }
        }
        finally
        {
            child.destroyForcibly().waitFor();
        }
        final List<String> shortage = lines.stream().filter(l -> l.contains("no file descriptor left")).toList();
        assertThat(shortage).as("all output: %s", lines).hasSize(1);
        assertThat(shortage.get(0)).startsWith("systemError Cannot accept a connection").contains("ulimit -n")
            .contains("Too many open files");
    }

    /** Sends a command to the child and reads its output until the answer. */
    private static void command(final Writer in, final BufferedReader out, final List<String> lines, final String command,
        final String answer) throws Exception
    {
        in.write(command + "\n");
        in.flush();
        for (String line; (line = out.readLine()) != null; )
        {
            lines.add(line);
            if (line.startsWith(answer))
            {
                return;
            }
        }
        throw new AssertionError("the child ended before " + answer + ": " + lines);
    }
}
