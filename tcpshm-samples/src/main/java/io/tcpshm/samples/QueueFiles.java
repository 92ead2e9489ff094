package io.tcpshm.samples;

import io.tcpshm.internal.Bits;
import io.tcpshm.internal.FrameHeader;
import io.tcpshm.internal.PtcpQueue;
import io.tcpshm.internal.ShmRing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    private static ByteBuffer copy(final Path f) throws IOException
    {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ))
        {
            final ByteBuffer b = ByteBuffer.allocateDirect((int)ch.size()).order(ByteOrder.nativeOrder());
            while (b.hasRemaining() && ch.read(b) >= 0)
            {
                // read it all
            }
            b.clear();
            return b;
        }
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
        final long size = Files.size(f);
        info.put("fileBytes", size);
        final int q = (int)size - PtcpQueue.INDEX_AREA;
        if (size < PtcpQueue.INDEX_AREA + 16 || q % 8 != 0)
        {
            info.put("sanity", "wrong size: " + size + " bytes is not tcpQueueSize + 20 with tcpQueueSize a multiple of 8");
            return info;
        }
        info.put("tcpQueueSize", q);
        final ByteBuffer raw = copy(f);
        final ByteBuffer h = raw.duplicate().order(ByteOrder.nativeOrder());
        info.put("writeIdx", Bits.u32(h.getInt(q)));
        info.put("readIdx", Bits.u32(h.getInt(q + 4)));
        info.put("sendIdx", Bits.u32(h.getInt(q + 8)));
        info.put("readSeq", Bits.u32(h.getInt(q + 12)));
        info.put("myAck", Bits.u32(h.getInt(q + 16)));
        String problem = null;
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            final PtcpQueue queue = new PtcpQueue(copy(f), q, order);
            final String p = queue.sanityCheck();
            if (p == null)
            {
                // an empty queue holds no header to tell the order by
                info.put("headerByteOrder", queue.queuedCount() == 0 ? "unknown (no message queued)" :
                    order == ByteOrder.LITTLE_ENDIAN ? "little-endian" : "big-endian");
                info.put("seqStart", Bits.u32(queue.seqStart()));
                info.put("seqEnd", Bits.u32(queue.seqEnd()));
                info.put("messagesQueued", queue.queuedCount());
                info.put("bytesQueued", 8L * (queue.writeIdx() - queue.readIdx()));
                final int send = h.getInt(q + 8);
                info.put("bytesNotYetSent", 8L * (queue.writeIdx() - Math.max(queue.readIdx(),
                    Math.min(send, queue.writeIdx()))));
                info.put("sanity", "ok");
                return info;
            }
            if (problem == null)
            {
                problem = p;
            }
        }
        info.put("sanity", "corrupt: " + problem);
        return info;
    }

    static Map<String, Object> ring(final Path f, final String sender, final String receiver) throws IOException
    {
        final Map<String, Object> info = new LinkedHashMap<>();
        info.put("file", f.toString());
        info.put("kind", "shm");
        info.put("sender", sender);
        info.put("receiver", receiver);
        final long size = Files.size(f);
        info.put("fileBytes", size);
        final int s = (int)size - 256;
        if (size < 384 || s % 128 != 0 || !Bits.isPowerOfTwo(s / 64))
        {
            info.put("sanity", "wrong size: " + size + " bytes is not roundUp(shmQueueSize, 128) + 256");
            return info;
        }
        info.put("shmQueueSize", s);
        final ByteBuffer raw = copy(f);
        final String problem = ShmRing.sanityCheck(raw, s);
        final ShmRing ring = ShmRing.consumer(raw, s);
        final int w = ring.publishedWriteIdx();
        final int r = ring.publishedReadIdx();
        info.put("writeIdx", Bits.u32(w));
        info.put("readIdx", Bits.u32(r));
        info.put("blocks", s / 64);
        if (problem != null)
        {
            info.put("sanity", "corrupt: " + problem);
            return info;
        }
        info.put("blocksUsed", w - r);
        info.put("fillPercent", Math.round(1000.0 * (w - r) / (s / 64)) / 10.0);
        long messages = 0;
        long bytes = 0;
        int offset;
        while ((offset = ring.front()) >= 0)
        {
            messages++;
            bytes += FrameHeader.size(ring.buffer(), offset);
            ring.pop();
        }
        info.put("messagesUnconsumed", messages);
        info.put("bytesUnconsumed", bytes);
        info.put("sanity", offset == -2 ? "corrupt: invalid message header at readIdx " + Bits.u32(ring.readIdx()) : "ok");
        return info;
    }
}
