package io.tcpshm.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An independent model of what docs/PROTOCOL.md says a receiver does with the bytes a hostile peer
 * sends (written from the spec, not from the library), used as the oracle of the hostile tests.
 * Little-endian, default sizes: nameSize 16, login frame 56 (size 52), response frame 72 (size 68),
 * tcpReceiveBufferMaxSize 8000.
 */
final class WireModel
{
    static final int NAME_SIZE = 16;
    static final int LOGIN_SIZE = 52;
    static final int LOGIN_FRAME = 56;
    static final int RSP_SIZE = 68;
    static final int RSP_FRAME = 72;
    static final int MAX_FRAME = 8000;
    /** Login frame offsets with 1-byte user data of alignment 1. */
    static final int LOGIN_USE_SHM = 17;
    static final int LOGIN_CLIENT_NAME = 18;
    static final int LOGIN_LAST_SERVER = 34;
    /** Response frame offsets with 1-byte user data of alignment 1. */
    static final int RSP_STATUS = 17;
    static final int RSP_SERVER_NAME = 18;
    static final int RSP_ERROR = 34;

    private WireModel()
    {
    }

    static String hex(final byte[] b)
    {
        final StringBuilder sb = new StringBuilder(b.length * 2);
        for (final byte x : b)
        {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }

    static ByteBuffer le(final byte[] bytes)
    {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int u16(final byte[] b, final int off)
    {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static int i32(final byte[] b, final int off)
    {
        return le(b).getInt(off);
    }

    static long u32(final int v)
    {
        return v & 0xFFFFFFFFL;
    }

    static boolean isNewer(final int a, final int b)
    {
        return a - b > 0;
    }

    static boolean inRange(final int v, final int start, final int end)
    {
        return v - start >= 0 && end - v >= 0;
    }

    /** The bytes of a NUL-terminated field before the NUL, one char per byte, or null without a NUL. */
    static String cstring(final byte[] b, final int off, final int size)
    {
        for (int i = 0; i < size; i++)
        {
            if (b[off + i] == 0)
            {
                return new String(b, off, i, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /**
     * docs/PROTOCOL.md "Names": what a peer may call itself, given the bytes before the field's NUL as
     * decoded by {@link #cString} (one char per byte): valid UTF-8 of at most NAME_SIZE - 1 bytes, not "."
     * or "..", no '/', no control character (U+0000..U+001F, U+007F..U+009F).
     */
    static boolean validName(final String latin1)
    {
        if (latin1 == null || latin1.isEmpty() || latin1.length() > NAME_SIZE - 1 || latin1.equals(".") ||
            latin1.equals(".."))
        {
            return false;
        }
        final String text;
        try
        {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1)))
                .toString();
        }
        catch (final java.nio.charset.CharacterCodingException ex)
        {
            return false;
        }
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '/' || c < 0x20 || (c >= 0x7f && c <= 0x9f))
            {
                return false;
            }
        }
        return true;
    }

    /** The text of a valid name given as its bytes (one char per byte, as {@link #cstring} reads them). */
    static String text(final String latin1)
    {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** {@link #validName} for a name read back from a file name (text, whose bytes on disk are its UTF-8). */
    static boolean validFileName(final String text)
    {
        return text != null && validName(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }

    /** A header as bytes. */
    static byte[] header(final int size, final int type, final int ack)
    {
        final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short)size).putShort(2, (short)type).putInt(4, ack);
        return b.array();
    }

    static byte[] concat(final byte[]... parts)
    {
        int n = 0;
        for (final byte[] p : parts)
        {
            n += p.length;
        }
        final byte[] out = new byte[n];
        int pos = 0;
        for (final byte[] p : parts)
        {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    /** What a receiver makes of a message stream, and why it ends. */
    record StreamVerdict(String reasonPrefix, int appMessages, boolean endedByError)
    {
    }

    /**
     * What ends an SHM session whose TCP link receives {@code stream}: nothing on it is read as a message;
     * the first whole heartbeat header (size 8, type 0) with a non-zero ackSeq is a Java peer's ring mark,
     * which a hostile peer cannot know, so the receiver closes ("SHM rings not shared"); without one the
     * session ends when the peer half-closes or times out.
     */
    static StreamVerdict shmLinkVerdict(final byte[] stream, final boolean halfClose)
    {
        for (int pos = 0; pos + 8 <= stream.length; pos += 8)
        {
            if (u16(stream, pos) == 8 && u16(stream, pos + 2) == 0 && i32(stream, pos + 4) != 0)
            {
                return new StreamVerdict("SHM rings not shared with the peer", 0, true);
            }
        }
        return new StreamVerdict(halfClose ? "Remote close" : "Timeout", 0, false);
    }

    /**
     * The receiver of {@code stream} has pushed {@code receiverWriteSeq} messages (numbered from 0) and
     * pops every application message it gets. It stops at the first header whose size is below 8
     * (as soon as the header is complete), whose frame exceeds tcpReceiveBufferMaxSize, or (once the
     * whole frame is there) whose ack is newer than one past its newest message. Without such an
     * error the session ends when the peer half-closes ("Remote close") or times out ("Timeout").
     */
    static StreamVerdict streamVerdict(final byte[] stream, final int receiverWriteSeq, final boolean halfClose)
    {
        int pos = 0;
        int app = 0;
        while (stream.length - pos >= 8)
        {
            final int size = u16(stream, pos);
            if (size < 8)
            {
                return new StreamVerdict("Invalid msg size " + size, app, true);
            }
            final int frame = (size + 7) & ~7;
            if (frame > MAX_FRAME)
            {
                return new StreamVerdict("Msg size " + size + " larger than tcpReceiveBufferMaxSize", app, true);
            }
            if (stream.length - pos < frame)
            {
                break;
            }
            final int ack = i32(stream, pos + 4);
            if (isNewer(ack, receiverWriteSeq))
            {
                return new StreamVerdict("Invalid ack " + u32(ack), app, true);
            }
            if (u16(stream, pos + 2) != 0)
            {
                app++;
            }
            pos += frame;
        }
        return new StreamVerdict(halfClose ? "Remote close" : "Timeout", app, false);
    }

    /**
     * Fails unless every file and directory under {@code root} is one of {@code allowedDirs} or
     * inside one, and every file inside {@code ptcpDir}/{@code shmDir} is named after a valid
     * peer name as docs/PROTOCOL.md "Files" says.
     */
    static void assertFilesConfined(final Path root, final Path ptcpDir, final Path shmDir, final List<Path> otherDirs)
    {
        final List<Path> allowed = new ArrayList<>(otherDirs);
        allowed.add(ptcpDir);
        allowed.add(shmDir);
        try (Stream<Path> all = Files.walk(root))
        {
            for (final Path p : (Iterable<Path>)all::iterator)
            {
                if (p.equals(root) || allowed.contains(p))
                {
                    continue;
                }
                final Path parent = p.getParent();
                if (!allowed.contains(parent) || !Files.isRegularFile(p))
                {
                    throw new AssertionError("unexpected file or directory " + root.relativize(p));
                }
                final String f = p.getFileName().toString();
                if (parent.equals(ptcpDir))
                {
                    if (f.equals("srv.lock"))
                    {
                        continue; // the server's owner lock
                    }
                    if (!f.startsWith("srv_"))
                    {
                        throw new AssertionError("unexpected file in the server's ptcp dir: " + f);
                    }
                    final String remote = f.substring(4, f.length() - ".ptcp".length());
                    if (!f.endsWith(".ptcp") || !validFileName(remote))
                    {
                        throw new AssertionError("file for an invalid peer name: " + f);
                    }
                }
                if (parent.equals(shmDir) && f.endsWith(".shmlock"))
                {
                    // the owner lock of a side's ends of its rings: the server's, or a well-behaved client's
                    if (!validFileName(f.substring(0, f.length() - ".shmlock".length())))
                    {
                        throw new AssertionError("shm owner lock for an invalid name: " + f);
                    }
                    continue;
                }
                if (parent.equals(shmDir))
                {
                    if (!f.endsWith(".shm") || !(f.startsWith("srv_") || f.endsWith("_srv.shm")))
                    {
                        throw new AssertionError("unexpected file in the shm dir: " + f);
                    }
                    final String remote = f.startsWith("srv_") ? f.substring(4, f.length() - 4) :
                        f.substring(0, f.length() - "_srv.shm".length());
                    if (!validFileName(remote))
                    {
                        throw new AssertionError("shm file for an invalid peer name: " + f);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Deletes a directory tree (best effort). */
    static void deleteTree(final Path root)
    {
        if (root == null || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> all = Files.walk(root))
        {
            all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ignore)
                {
                    // best effort
                }
            });
        }
        catch (final IOException ignore)
        {
            // best effort
        }
    }
}
