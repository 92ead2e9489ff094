package io.tcpshm.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Rules for names, which become parts of file names (docs/PROTOCOL.md, "Names"), and the file names
 * built from them.
 *
 * <p>A name is handled as the UTF-8 bytes a C++ peer puts in the name field and in its file names. It
 * is accepted when it is non-empty, fits {@code nameSize - 1} bytes, is not {@code .} or {@code ..},
 * and holds no {@code /} and no control character (U+0000..U+001F, U+007F..U+009F): every name that
 * cannot escape the directory or hide in a listing. Non-ASCII names need a JVM whose file-name
 * encoding ({@code sun.jnu.encoding}, from the locale) can write them, which a UTF-8 locale gives: the
 * file then has the same name bytes a C++ peer gives it.
 */
public final class Names
{
    /** How this JVM encodes file names (from the locale): a name it cannot encode cannot name a file. */
    private static final Charset FILE_NAMES = fileNameCharset();

    private Names()
    {
    }

    private static Charset fileNameCharset()
    {
        final String name = System.getProperty("sun.jnu.encoding");
        try
        {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        }
        catch (final RuntimeException ex)
        {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * @param name a candidate name.
     * @param nameSize the configured field size, NUL included.
     * @return null when acceptable, else why not.
     */
    public static String problem(final String name, final int nameSize)
    {
        return problem(name, nameSize, FILE_NAMES);
    }

    /**
     * @param name a candidate name.
     * @param nameSize the configured field size, NUL included.
     * @param fileNames the charset file names are written in.
     * @return null when acceptable, else why not.
     */
    static String problem(final String name, final int nameSize, final Charset fileNames)
    {
        if (name == null || name.isEmpty())
        {
            return "is empty";
        }
        if (name.equals(".") || name.equals(".."))
        {
            return "is '" + name + "'";
        }
        for (int i = 0; i < name.length(); )
        {
            final int c = name.codePointAt(i);
            if (c == '/')
            {
                return "contains '/'";
            }
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
            {
                return "contains a control character (U+" + String.format("%04X", c) + ")";
            }
            if (c <= 0xFFFF && Character.isSurrogate((char)c))
            {
                return "contains a lone surrogate (U+" + String.format("%04X", c) + "): not text";
            }
            i += Character.charCount(c);
        }
        final int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > nameSize - 1)
        {
            return "is longer than nameSize - 1 = " + (nameSize - 1) + " bytes (" + bytes + " in UTF-8)";
        }
        if (!fileNames.equals(StandardCharsets.UTF_8) && !name.chars().allMatch(ch -> ch < 0x80))
        {
            // another charset might encode it, but to other bytes than a C++ peer's: another file
            return "cannot be a file name in this JVM, whose file names are " + fileNames.name() +
                " (sun.jnu.encoding): start it with a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
        }
        return null;
    }

    /**
     * Fails fast on a local name given by the programmer.
     *
     * @param setting what the name is, for the message ("clientName", "serverName").
     * @param name the name.
     * @param nameSize the configured field size.
     * @throws IllegalArgumentException naming the setting and the problem.
     */
    public static void requireValidLocal(final String setting, final String name, final int nameSize)
    {
        final String problem = problem(name, nameSize);
        if (problem != null)
        {
            throw new IllegalArgumentException(setting + " '" + name + "' " + problem);
        }
    }

    /**
     * @param dir the ptcp directory.
     * @param local this side's name.
     * @param remote the peer's name.
     * @return {@code <dir>/<local>_<remote>.ptcp}.
     */
    public static Path ptcpFile(final Path dir, final String local, final String remote)
    {
        return dir.resolve(local + "_" + remote + ".ptcp");
    }

    /**
     * @param dir the SHM directory.
     * @param sender name of the ring's producer.
     * @param receiver name of the ring's consumer.
     * @return {@code <dir>/<sender>_<receiver>.shm}.
     */
    public static Path shmFile(final Path dir, final String sender, final String receiver)
    {
        return dir.resolve(sender + "_" + receiver + ".shm");
    }

    /**
     * @param dir the ptcp directory.
     * @param client the client's name.
     * @return {@code <dir>/<client>.lastserver}.
     */
    public static Path lastServerFile(final Path dir, final String client)
    {
        return dir.resolve(client + ".lastserver");
    }

    /**
     * @param dir the ptcp directory.
     * @param local the name of a client or server using it.
     * @return {@code <dir>/<local>.lock}: the file whose lock says that a live process uses this name here, and so
     *     owns its queue and last-server files.
     */
    public static Path ownerLockFile(final Path dir, final String local)
    {
        return dir.resolve(local + ".lock");
    }

    /**
     * @param shmDir the SHM directory.
     * @param local the name of a client or server using it.
     * @return {@code <shmDir>/<local>.shmlock}: the file whose lock says that a live process uses this name's end of
     *     the rings there (never a ring's name, which ends in {@code .shm}; never the ptcp owner lock, should the two
     *     directories be one).
     */
    public static Path shmOwnerLockFile(final Path shmDir, final String local)
    {
        return shmDir.resolve(local + ".shmlock");
    }
}
