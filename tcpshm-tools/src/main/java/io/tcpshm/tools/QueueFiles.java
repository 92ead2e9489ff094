package io.tcpshm.tools;

import io.tcpshm.files.PtcpQueueDescriptor;
import io.tcpshm.files.PtcpQueueFile;
import io.tcpshm.files.ShmRingDescriptor;
import io.tcpshm.files.ShmRingFile;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads tcpshm files without changing them (a private copy of their bytes is examined), for
 * {@code tcpshm inspect} and {@code tcpshm reset}: PTCP queues, SHM rings and last-server files,
 * whoever wrote them (Java or C++ with the same layout).
 */
final class QueueFiles
{
    private QueueFiles()
    {
    }

    /** What a directory holds: persistent connections found by their files. */
    static final class Found
    {
        final Map<String, String> lastServers = new LinkedHashMap<>();
        final List<Map<String, Object>> ptcp = new ArrayList<>();
        final List<Map<String, Object>> shm = new ArrayList<>();
    }

    static Found scan(final Path dir, final Path shmDir, final List<String> extraNames) throws IOException
    {
        final Found found = new Found();
        final Set<String> names = new LinkedHashSet<>(extraNames);
        final List<Path> ptcpFiles = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path f : (Iterable<Path>)files.sorted()::iterator)
            {
                final String file = f.getFileName().toString();
                if (file.endsWith(".lastserver"))
                {
                    final String client = file.substring(0, file.length() - ".lastserver".length());
                    final String server = lastServer(f);
                    found.lastServers.put(client, server);
                    names.add(client);
                    if (!server.isEmpty())
                    {
                        names.add(server);
                    }
                }
                else if (file.endsWith(".ptcp"))
                {
                    ptcpFiles.add(f);
                }
            }
        }
        for (final Path f : ptcpFiles)
        {
            final Map<String, Object> info = ptcp(f, names);
            names.add((String)info.get("local"));
            names.add((String)info.get("remote"));
            found.ptcp.add(info);
        }
        if (shmDir != null && Files.isDirectory(shmDir))
        {
            try (Stream<Path> files = Files.list(shmDir))
            {
                for (final Path f : (Iterable<Path>)files.sorted()::iterator)
                {
                    final String file = f.getFileName().toString();
                    if (!file.endsWith(".shm"))
                    {
                        continue;
                    }
                    final String[] pair = split(file.substring(0, file.length() - 4), names);
                    if (pair != null)
                    {
                        found.shm.add(ring(f, pair[0], pair[1]));
                    }
                }
            }
        }
        return found;
    }

    /**
     * Splits {@code a_b} into two names. Names may hold '_', so a split where either side is a
     * known name wins; otherwise the first '_'. Returns null when no side is known.
     */
    static String[] split(final String base, final Set<String> known)
    {
        String[] first = null;
        for (int i = base.indexOf('_'); i > 0 && i < base.length() - 1; i = base.indexOf('_', i + 1))
        {
            final String a = base.substring(0, i);
            final String b = base.substring(i + 1);
            if (known.contains(a) && known.contains(b))
            {
                return new String[] {a, b};
            }
            if (first == null && (known.contains(a) || known.contains(b)))
            {
                first = new String[] {a, b};
            }
        }
        return first;
    }

    static String lastServer(final Path f) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(f);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0)
        {
            n++;
        }
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8); // names are UTF-8 (docs/PROTOCOL.md)
    }

    static Map<String, Object> ptcp(final Path f, final Set<String> names) throws IOException
    {
        final String base = f.getFileName().toString().replaceFirst("\\.ptcp$", "");
        String[] pair = split(base, names);
        if (pair == null)
        {
            final int i = base.indexOf('_');
            pair = i > 0 ? new String[] {base.substring(0, i), base.substring(i + 1)} : new String[] {base, ""};
        }
        final Map<String, Object> info = new LinkedHashMap<>();
        info.put("file", f.toString());
        info.put("kind", "ptcp");
        info.put("local", pair[0]);
        info.put("remote", pair[1]);
        final PtcpQueueFile file = PtcpQueueFile.read(f);
        info.put("fileBytes", file.fileLength());
        final int q = file.tcpQueueSize();
        if (q == PtcpQueueDescriptor.INVALID_LENGTH)
        {
            info.put("sanity", "wrong size: " + file.fileLength() + " bytes is not tcpQueueSize + 20 with tcpQueueSize " +
                "a multiple of 8");
            return info;
        }
        info.put("tcpQueueSize", q);
        info.put("writeIdx", file.writeIdx());
        info.put("readIdx", file.readIdx());
        info.put("sendIdx", file.sendIdx());
        info.put("readSeq", file.readSeq());
        info.put("myAck", file.myAck());
        final PtcpQueueFile.Contents contents = file.contents();
        if (contents.problem() != null)
        {
            info.put("sanity", "corrupt: " + contents.problem());
            return info;
        }
        info.put("headerByteOrder", contents.headerOrder() == null ? "unknown (no message queued)" :
            contents.headerOrder() == ByteOrder.LITTLE_ENDIAN ? "little-endian" : "big-endian");
        info.put("seqStart", contents.seqStart());
        info.put("seqEnd", contents.seqEnd());
        info.put("messagesQueued", contents.messagesQueued());
        info.put("bytesQueued", contents.bytesQueued());
        info.put("bytesNotYetSent", contents.bytesNotYetSent());
        info.put("sanity", "ok");
        return info;
    }

    static Map<String, Object> ring(final Path f, final String sender, final String receiver) throws IOException
    {
        final Map<String, Object> info = new LinkedHashMap<>();
        info.put("file", f.toString());
        info.put("kind", "shm");
        info.put("sender", sender);
        info.put("receiver", receiver);
        final ShmRingFile file = ShmRingFile.read(f);
        info.put("fileBytes", file.fileLength());
        final int s = file.shmQueueSize();
        if (s == ShmRingDescriptor.INVALID_LENGTH)
        {
            info.put("sanity", "wrong size: " + file.fileLength() + " bytes is not roundUp(shmQueueSize, 128) + 256");
            return info;
        }
        info.put("shmQueueSize", s);
        info.put("writeIdx", file.writeIdx());
        info.put("readIdx", file.readIdx());
        info.put("mark", file.mark()); // a Java producer's login mark (ShmRingDescriptor.MARK_OFFSET); 0 from C++
        info.put("blocks", file.blocks());
        final ShmRingFile.Contents contents = file.contents();
        if (contents.indexProblem() != null)
        {
            info.put("sanity", "corrupt: " + contents.indexProblem());
            return info;
        }
        info.put("blocksUsed", contents.blocksUsed());
        info.put("fillPercent", Math.round(1000.0 * contents.blocksUsed() / file.blocks()) / 10.0);
        info.put("messagesUnconsumed", contents.messagesUnconsumed());
        info.put("bytesUnconsumed", contents.bytesUnconsumed());
        info.put("sanity", contents.messageProblem() == null ? "ok" : "corrupt: " + contents.messageProblem());
        return info;
    }
}
