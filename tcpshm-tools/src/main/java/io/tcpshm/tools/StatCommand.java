package io.tcpshm.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpshm.files.CountersDescriptor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code tcpshm stat DIR}: the live counters that clients and servers publish in
 * {@code <ptcpDir>/<name>.counters} (setting {@code publishCounters}, option
 * {@code --publish-counters} of the samples), refreshed every second like {@code top}, or once as
 * JSON for scripts. Reads the files; never disturbs the running processes.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Shows the live per-connection counters published in a ptcp directory (publishCounters).")
public final class StatCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "A client's or server's ptcp directory.")
    Path dir;

    @Option(names = "--once", description = "Print once and exit.")
    boolean once;

    @Option(names = "--json", description = "Print JSON (implies --once).")
    boolean json;

    @Option(names = "--interval-ms", defaultValue = "1000", description = "Refresh interval (default ${DEFAULT-VALUE} ms).")
    long intervalMs;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception
    {
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        if (json)
        {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(read()));
            return 0;
        }
        Map<String, long[]> previous = new HashMap<>();
        long previousAt = 0;
        final boolean interactive = System.console() != null && !once;
        while (true)
        {
            final List<Map<String, Object>> rows = read();
            final long at = System.nanoTime();
            final StringBuilder sb = new StringBuilder();
            if (interactive)
            {
                sb.append("\033[H\033[2J");
            }
            sb.append(String.format("tcpshm stat %s   %s%n", dir, java.time.LocalTime.now().withNano(0)));
            sb.append(String.format("%-24s %-4s %-4s %12s %12s %10s %10s %8s %9s %7s %6s %6s  %s%n", "connection", "mode",
                "up", "msgs sent", "msgs recv", "sent/s", "recv/s", "resent", "hb s/r", "refused", "logins", "discon",
                "last disconnect"));
            final Map<String, long[]> now = new HashMap<>();
            for (final Map<String, Object> r : rows)
            {
                final String key = r.get("owner") + "/" + r.get("local") + "/" + r.get("remote");
                final long sent = (Long)r.get("messagesSent");
                final long recv = (Long)r.get("messagesReceived");
                now.put(key, new long[] {sent, recv});
                final long[] before = previous.get(key);
                final double secs = (at - previousAt) / 1e9;
                final String sentRate = before == null ? "-" : String.format("%.0f", (sent - before[0]) / secs);
                final String recvRate = before == null ? "-" : String.format("%.0f", (recv - before[1]) / secs);
                sb.append(String.format("%-24s %-4s %-4s %12d %12d %10s %10s %8d %9s %7d %6d %6d  %s%n",
                    r.get("local") + "->" + r.get("remote"), r.get("mode"), r.get("loggedOn"), sent, recv, sentRate,
                    recvRate, r.get("messagesResent"), r.get("heartbeatsSent") + "/" + r.get("heartbeatsReceived"),
                    r.get("allocsRefused"), r.get("logins"), r.get("disconnects"), r.get("lastDisconnectReason")));
            }
            if (rows.isEmpty())
            {
                sb.append("  no published counters: start the client/server with publishCounters (--publish-counters)\n");
            }
            out.print(sb);
            out.flush();
            if (once)
            {
                return 0;
            }
            previous = now;
            previousAt = at;
            Thread.sleep(intervalMs);
        }
    }

    private List<Map<String, Object>> read() throws IOException
    {
        final List<Map<String, Object>> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path f : (Iterable<Path>)files.filter(p -> p.toString().endsWith(".counters")).sorted()::iterator)
            {
                final ByteBuffer b;
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ))
                {
                    b = ByteBuffer.allocate((int)ch.size()).order(ByteOrder.nativeOrder());
                    while (b.hasRemaining() && ch.read(b) >= 0)
                    {
                        // read all
                    }
                }
                if (b.capacity() < CountersDescriptor.HEADER || b.getLong(0) != CountersDescriptor.MAGIC)
                {
                    continue;
                }
                final String owner = CountersDescriptor.text(b, CountersDescriptor.OWNER, CountersDescriptor.OWNER_BYTES);
                final long slots = b.getLong(CountersDescriptor.SLOT_COUNT);
                for (int i = 0; i < slots && CountersDescriptor.slotOffset(i + 1) <= b.capacity(); i++)
                {
                    final int o = CountersDescriptor.slotOffset(i);
                    final String local = CountersDescriptor.text(b, o + CountersDescriptor.LOCAL_NAME, CountersDescriptor.NAME_BYTES);
                    if (local.isEmpty())
                    {
                        continue; // a slot never used
                    }
                    final Map<String, Object> r = new LinkedHashMap<>();
                    r.put("owner", owner);
                    r.put("file", f.toString());
                    r.put("local", local);
                    r.put("remote", CountersDescriptor.text(b, o + CountersDescriptor.REMOTE_NAME, CountersDescriptor.NAME_BYTES));
                    r.put("mode", b.getLong(o + CountersDescriptor.MODE) == 2 ? "shm" : "tcp");
                    r.put("loggedOn", b.getLong(o + CountersDescriptor.LOGGED_ON) == 1 ? "yes" : "no");
                    r.put("messagesSent", b.getLong(o + CountersDescriptor.MSGS_SENT));
                    r.put("bytesSent", b.getLong(o + CountersDescriptor.BYTES_SENT));
                    r.put("messagesReceived", b.getLong(o + CountersDescriptor.MSGS_RECEIVED));
                    r.put("bytesReceived", b.getLong(o + CountersDescriptor.BYTES_RECEIVED));
                    r.put("messagesResent", b.getLong(o + CountersDescriptor.MSGS_RESENT));
                    r.put("heartbeatsSent", b.getLong(o + CountersDescriptor.HEARTBEATS_SENT));
                    r.put("heartbeatsReceived", b.getLong(o + CountersDescriptor.HEARTBEATS_RECEIVED));
                    r.put("allocsRefused", b.getLong(o + CountersDescriptor.ALLOCS_REFUSED));
                    r.put("logins", b.getLong(o + CountersDescriptor.LOGINS));
                    r.put("disconnects", b.getLong(o + CountersDescriptor.DISCONNECTS));
                    r.put("lastDisconnectReason",
                        CountersDescriptor.text(b, o + CountersDescriptor.LAST_REASON, CountersDescriptor.REASON_BYTES));
                    r.put("lastReceiveTime", b.getLong(o + CountersDescriptor.LAST_RECV_TIME));
                    rows.add(r);
                }
            }
        }
        return rows;
    }
}
