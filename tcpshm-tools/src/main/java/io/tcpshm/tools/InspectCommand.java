package io.tcpshm.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tcpshm inspect DIR}: what a ptcp directory holds, from the files alone, whether or not a
 * process is running: every persistent connection (names, TCP or SHM), PTCP queue indices and
 * sequence numbers with the sanity check, SHM ring fill levels, the client's last server. Works on
 * files written by a C++ tcpshm peer with the same layout; reads a private copy, changes nothing.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Shows the persistent connections in a ptcp directory (and their SHM rings) from the files alone.")
public final class InspectCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "DIR", description = "A client's or server's ptcp directory.")
    Path dir;

    @Option(names = "--shm-dir", defaultValue = "/dev/shm", description = "Directory of the SHM rings (default ${DEFAULT-VALUE}).")
    Path shmDir;

    @Option(names = "--name", description = "Also show SHM rings of this name (e.g. a server that has only SHM clients).")
    List<String> names = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception
    {
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        final QueueFiles.Found found = QueueFiles.scan(dir, shmDir, names);
        if (json)
        {
            final Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("dir", dir.toString());
            doc.put("shmDir", shmDir.toString());
            doc.put("lastServers", found.lastServers);
            doc.put("ptcp", found.ptcp);
            doc.put("shm", found.shm);
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
            return 0;
        }
        out.println("ptcp dir " + dir);
        if (found.lastServers.isEmpty() && found.ptcp.isEmpty() && found.shm.isEmpty())
        {
            out.println("  no tcpshm files found");
        }
        for (final Map.Entry<String, String> e : found.lastServers.entrySet())
        {
            out.println("  client " + e.getKey() + ": last server " + (e.getValue().isEmpty() ? "(none)" : e.getValue()));
        }
        for (final Map<String, Object> q : found.ptcp)
        {
            out.printf("  TCP %s -> %s  %s%n", q.get("local"), q.get("remote"), q.get("file"));
            if (q.containsKey("myAck"))
            {
                out.printf("      myAck %s  seq [%s, %s)  queued %s msgs / %s bytes  not yet sent %s bytes%n",
                    q.get("myAck"), q.getOrDefault("seqStart", "?"), q.getOrDefault("seqEnd", "?"),
                    q.getOrDefault("messagesQueued", "?"), q.getOrDefault("bytesQueued", "?"),
                    q.getOrDefault("bytesNotYetSent", "?"));
                out.printf("      writeIdx %s  readIdx %s  sendIdx %s  readSeq %s  (tcpQueueSize %s)%n", q.get("writeIdx"),
                    q.get("readIdx"), q.get("sendIdx"), q.get("readSeq"), q.get("tcpQueueSize"));
            }
            out.println("      sanity: " + q.get("sanity"));
        }
        for (final Map<String, Object> r : found.shm)
        {
            out.printf("  SHM %s -> %s  %s%n", r.get("sender"), r.get("receiver"), r.get("file"));
            if (r.containsKey("writeIdx"))
            {
                out.printf("      writeIdx %s  readIdx %s  used %s of %s blocks (%s%%)  unconsumed %s msgs / %s bytes%n",
                    r.get("writeIdx"), r.get("readIdx"), r.getOrDefault("blocksUsed", "?"), r.get("blocks"),
                    r.getOrDefault("fillPercent", "?"), r.getOrDefault("messagesUnconsumed", "?"),
                    r.getOrDefault("bytesUnconsumed", "?"));
            }
            out.println("      sanity: " + r.get("sanity"));
        }
        return 0;
    }
}
