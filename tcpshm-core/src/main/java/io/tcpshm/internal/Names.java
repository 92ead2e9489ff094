package io.tcpshm.internal;

import java.nio.file.Path;

/**
 * Rules for names, which become parts of file names (docs/PROTOCOL.md, "Names"), and the file names
 * built from them.
 *
 * <p>A name is accepted when it is non-empty, fits {@code nameSize - 1} bytes, is not {@code .}
 * or {@code ..}, and holds printable ASCII only ({@code 0x20..0x7e}) without {@code /}. That is
 * every name that cannot escape the directory and maps to the same file-name bytes in C++ and in
 * Java whatever the JVM's file-name encoding; names with control characters or non-ASCII bytes are
 * refused as ones that could not round-trip.
 */
public final class Names
{
    private Names()
    {
    }

    /**
     * @param name a candidate name (chars map 1:1 to bytes).
     * @param nameSize the configured field size, NUL included.
     * @return null when acceptable, else why not.
     */
    public static String problem(final String name, final int nameSize)
    {
        if (name == null || name.isEmpty())
        {
            return "is empty";
        }
        if (name.length() > nameSize - 1)
        {
            return "is longer than nameSize - 1 = " + (nameSize - 1) + " bytes";
        }
        if (name.equals(".") || name.equals(".."))
        {
            return "is '" + name + "'";
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c == '/')
            {
                return "contains '/'";
            }
            if (c < 0x20 || c > 0x7e)
            {
                return "contains a byte that is not printable ASCII (0x" + Integer.toHexString(c) + ")";
            }
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
}
