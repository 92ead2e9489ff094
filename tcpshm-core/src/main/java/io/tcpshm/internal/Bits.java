package io.tcpshm.internal;

/**
 * Small arithmetic helpers shared by the codecs and queues: rounding to the 8-byte block and
 * wrap-aware comparison of u32 sequence numbers held in Java {@code int}s.
 */
public final class Bits
{
    /** Bytes of one message header and of one PTCP block. */
    public static final int HEADER_LENGTH = 8;

    /** Largest value of the u16 {@code size} field of a header. */
    public static final int MAX_MSG_SIZE = 0xFFFF;

    private Bits()
    {
    }

    /**
     * @param value non-negative value.
     * @param alignment a power of two.
     * @return the smallest multiple of {@code alignment} that is {@code >= value}.
     */
    public static int roundUp(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * @param value non-negative value.
     * @return {@code value} rounded up to a multiple of 8.
     */
    public static int roundUp8(final int value)
    {
        return (value + 7) & ~7;
    }

    /**
     * Wrap-aware "a is newer than b" for u32 sequence numbers, as docs/PROTOCOL.md defines it.
     *
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true when {@code (int)(a - b) > 0}.
     */
    public static boolean isNewer(final int a, final int b)
    {
        return a - b > 0;
    }

    /**
     * Wrap-aware inclusive range test used by the login sequence check.
     *
     * @param value the number to test.
     * @param start first number of the range.
     * @param end last number of the range (inclusive).
     * @return true when {@code start <= value <= end} in wrap-around arithmetic.
     */
    public static boolean inRange(final int value, final int start, final int end)
    {
        return value - start >= 0 && end - value >= 0;
    }

    /**
     * @param value a u32 held in an int.
     * @return the unsigned value as a long, for messages and callbacks.
     */
    public static long u32(final int value)
    {
        return value & 0xFFFF_FFFFL;
    }

    /**
     * @param value any int.
     * @return true when value is a positive power of two.
     */
    public static boolean isPowerOfTwo(final int value)
    {
        return value > 0 && (value & (value - 1)) == 0;
    }
}
