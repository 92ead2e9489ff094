package io.tcpshm.samples;

import io.tcpshm.MsgHeader;

/**
 * The echo protocol of the C++ framework's example: a message of type {@code N} (1 to 4) carries
 * {@code N} 32-bit integers, the next numbers of one increasing sequence, in the configured byte
 * order (the payload buffer's order); the server answers each message with the same type and
 * payload.
 */
public final class EchoProtocol
{
    /** Highest message type (and integers per message). */
    public static final int MAX_TYPE = 4;

    private EchoProtocol()
    {
    }

    /**
     * @param messageIndex count of messages sent before this one.
     * @return the type of that message: 1, 2, 3, 4, 1, ... (deterministic, so a restarted client
     *     sends exactly what it would have sent).
     */
    public static int typeFor(final long messageIndex)
    {
        return 1 + (int)(messageIndex % MAX_TYPE);
    }

    /**
     * Writes {@code type} integers starting at {@code first}.
     *
     * @param header an allocated message with a payload of {@code 4 * type} bytes.
     * @param type 1 to 4.
     * @param first the first number.
     */
    public static void write(final MsgHeader header, final int type, final int first)
    {
        header.msgType(type);
        final int offset = header.payloadOffset();
        for (int i = 0; i < type; i++)
        {
            header.buffer().putInt(offset + 4 * i, first + i);
        }
    }

    /**
     * Checks that a message is well formed: type 1..4 and a payload of exactly {@code 4 * type}
     * bytes holding consecutive numbers.
     *
     * @param header the message.
     * @return null when well formed, else what is wrong.
     */
    public static String problem(final MsgHeader header)
    {
        final int type = header.msgType();
        if (type < 1 || type > MAX_TYPE)
        {
            return "message type " + type + " is not 1..4";
        }
        if (header.payloadLength() != 4 * type)
        {
            return "message type " + type + " has " + header.payloadLength() + " payload bytes, expected " + 4 * type;
        }
        final int first = first(header);
        for (int i = 1; i < type; i++)
        {
            if (header.buffer().getInt(header.payloadOffset() + 4 * i) != first + i)
            {
                return "message type " + type + " holds non-consecutive numbers";
            }
        }
        return null;
    }

    /**
     * @param header the message.
     * @return its first number.
     */
    public static int first(final MsgHeader header)
    {
        return header.buffer().getInt(header.payloadOffset());
    }
}
