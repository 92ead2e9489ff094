package io.tcpshm.internal;

import java.nio.ByteBuffer;

/** Test helpers: hex strings of expected bytes, written by hand from docs/PROTOCOL.md. */
final class Hex
{
    private Hex()
    {
    }

    /** Parses "0a 0B|ff" style hex, ignoring spaces, '|' and newlines. */
    static byte[] bytes(final String hex)
    {
        final String s = hex.replaceAll("[\\s|]", "");
        if (s.length() % 2 != 0)
        {
            throw new IllegalArgumentException("odd hex length: " + hex);
        }
        final byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = (byte)Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** Hex of {@code length} bytes of {@code buffer} from absolute {@code offset}, 8 bytes per group. */
    static String of(final ByteBuffer buffer, final int offset, final int length)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = buffer.get(offset + i);
        }
        return of(b);
    }

    static String of(final byte[] b)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++)
        {
            if (i > 0)
            {
                sb.append(i % 8 == 0 ? " | " : " ");
            }
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }

    /** Normalises a hand-written hex string to the format of {@link #of(byte[])}. */
    static String norm(final String hex)
    {
        return of(bytes(hex));
    }

    static void fill(final ByteBuffer buffer, final int offset, final int length, final int value)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.put(offset + i, (byte)value);
        }
    }
}
