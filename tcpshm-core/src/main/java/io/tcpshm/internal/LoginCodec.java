package io.tcpshm.internal;

import io.tcpshm.TcpShmConfig;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Layout of the login and login response frames for one configuration (docs/PROTOCOL.md, "Handshake"),
 * and the encoding and decoding of their fields. All offsets are from the start of the frame
 * (the 8-byte header included). Integers go in the TCP byte order; user data is raw bytes.
 * {@code N} is {@code nameSize}; {@code U}, {@code a} the login's user data size and alignment,
 * {@code V}, {@code b} the response's; {@code o = roundUp(8, a)}, {@code p = roundUp(8, b)}.
 *
 * <pre>
 * login (msgType 1):
 *   0       2        4          8            12          8+o         8+o+U    9+o+U      9+o+U+N
 *   +-------+--------+----------+------------+-----------+-----------+--------+----------+--------------+---------+
 *   | size  | type 1 | clientAck| clientSeq  | clientSeq | user data | useShm | client   | last server  | padding |
 *   | u16   | u16    | u32      | Start u32  | End u32   | U bytes   | u8     | name (N) | name (N)     |         |
 *   +-------+--------+----------+------------+-----------+-----------+--------+----------+--------------+---------+
 *   size = 8 + roundUp(o + U + 1 + 2N, max(4, a)); the frame is size rounded up to 8
 *
 * login response (msgType 2):
 *   0       2        4          8            12          8+p         8+p+V    9+p+V      9+p+V+N
 *   +-------+--------+----------+------------+-----------+-----------+--------+----------+--------------+---------+
 *   | size  | type 2 | serverAck| serverSeq  | serverSeq | user data | status | server   | error text   | padding |
 *   | u16   | u16    | u32      | Start u32  | End u32   | V bytes   | u8     | name (N) | (32)         |         |
 *   +-------+--------+----------+------------+-----------+-----------+--------+----------+--------------+---------+
 *   size = 8 + roundUp(p + V + 1 + N + 32, max(4, b)); status 0 ok, 1 sequence mismatch, 2 error
 * </pre>
 *
 * <p>The gap between offset 16 and {@code 8 + o} (when {@code a > 8}) is zero.
 */
public final class LoginCodec
{
    /** {@code msgType} of a login. */
    public static final int LOGIN_TYPE = 1;
    /** {@code msgType} of a login response. */
    public static final int LOGIN_RSP_TYPE = 2;
    /** Response status: accepted. */
    public static final int STATUS_OK = 0;
    /** Response status: sequence number mismatch. */
    public static final int STATUS_SEQ_MISMATCH = 1;
    /** Response status: any other rejection. */
    public static final int STATUS_ERROR = 2;
    /** Bytes of the response's error message field, NUL included. */
    public static final int ERROR_MSG_SIZE = 32;
    /** Frame offset of {@code clientAck} / {@code serverAck} (the header's {@code ackSeq} field). */
    public static final int ACK_OFFSET = FrameHeader.ACK_OFFSET;
    /** Frame offset of {@code clientSeqStart} / {@code serverSeqStart}. */
    public static final int SEQ_START_OFFSET = 8;
    /** Frame offset of {@code clientSeqEnd} / {@code serverSeqEnd}. */
    public static final int SEQ_END_OFFSET = 12;

    private final int nameSize;
    private final int loginUserDataSize;
    private final int loginResponseUserDataSize;
    private final int loginMsgSize;
    private final int loginFrameSize;
    private final int loginUserDataOffset;
    private final int useShmOffset;
    private final int clientNameOffset;
    private final int lastServerNameOffset;
    private final int rspMsgSize;
    private final int rspFrameSize;
    private final int rspUserDataOffset;
    private final int statusOffset;
    private final int serverNameOffset;
    private final int errorMsgOffset;

    /**
     * @param config sizes and alignments of names and user data.
     */
    public LoginCodec(final TcpShmConfig config)
    {
        nameSize = config.nameSize();
        loginUserDataSize = config.loginUserDataSize();
        loginResponseUserDataSize = config.loginResponseUserDataSize();

        final int o = Bits.roundUp(8, config.loginUserDataAlign());
        loginUserDataOffset = 8 + o;
        useShmOffset = loginUserDataOffset + loginUserDataSize;
        clientNameOffset = useShmOffset + 1;
        lastServerNameOffset = clientNameOffset + nameSize;
        loginMsgSize = 8 + loginBodySize(config);
        loginFrameSize = Bits.roundUp8(loginMsgSize);

        final int p = Bits.roundUp(8, config.loginResponseUserDataAlign());
        rspUserDataOffset = 8 + p;
        statusOffset = rspUserDataOffset + loginResponseUserDataSize;
        serverNameOffset = statusOffset + 1;
        errorMsgOffset = serverNameOffset + nameSize;
        rspMsgSize = 8 + rspBodySize(config);
        rspFrameSize = Bits.roundUp8(rspMsgSize);
    }

    private static int loginBodySize(final TcpShmConfig c)
    {
        final int o = Bits.roundUp(8, c.loginUserDataAlign());
        return Bits.roundUp(o + c.loginUserDataSize() + 1 + 2 * c.nameSize(), Math.max(4, c.loginUserDataAlign()));
    }

    private static int rspBodySize(final TcpShmConfig c)
    {
        final int p = Bits.roundUp(8, c.loginResponseUserDataAlign());
        return Bits.roundUp(p + c.loginResponseUserDataSize() + 1 + c.nameSize() + ERROR_MSG_SIZE,
            Math.max(4, c.loginResponseUserDataAlign()));
    }

    /**
     * @param config a configuration (validated or not).
     * @return bytes of a login frame on the wire, padding included.
     */
    public static int loginFrameSize(final TcpShmConfig config)
    {
        return Bits.roundUp8(8 + loginBodySize(config));
    }

    /**
     * @param config a configuration (validated or not).
     * @return bytes of a login response frame on the wire, padding included.
     */
    public static int rspFrameSize(final TcpShmConfig config)
    {
        return Bits.roundUp8(8 + rspBodySize(config));
    }

    /** @return the header {@code size} of a login (52 with defaults). */
    public int loginMsgSize()
    {
        return loginMsgSize;
    }

    /** @return bytes of a login frame (56 with defaults). */
    public int loginFrameSize()
    {
        return loginFrameSize;
    }

    /** @return the header {@code size} of a response (68 with defaults). */
    public int rspMsgSize()
    {
        return rspMsgSize;
    }

    /** @return bytes of a response frame (72 with defaults). */
    public int rspFrameSize()
    {
        return rspFrameSize;
    }

    /** @return frame offset of the login's user data. */
    public int loginUserDataOffset()
    {
        return loginUserDataOffset;
    }

    /** @return bytes of the login's user data. */
    public int loginUserDataSize()
    {
        return loginUserDataSize;
    }

    /** @return frame offset of {@code useShm}. */
    public int useShmOffset()
    {
        return useShmOffset;
    }

    /** @return frame offset of {@code clientName}. */
    public int clientNameOffset()
    {
        return clientNameOffset;
    }

    /** @return frame offset of {@code lastServerName}. */
    public int lastServerNameOffset()
    {
        return lastServerNameOffset;
    }

    /** @return frame offset of the response's user data. */
    public int rspUserDataOffset()
    {
        return rspUserDataOffset;
    }

    /** @return bytes of the response's user data. */
    public int rspUserDataSize()
    {
        return loginResponseUserDataSize;
    }

    /** @return frame offset of {@code status}. */
    public int statusOffset()
    {
        return statusOffset;
    }

    /** @return frame offset of {@code serverName}. */
    public int serverNameOffset()
    {
        return serverNameOffset;
    }

    /** @return frame offset of {@code errorMsg}. */
    public int errorMsgOffset()
    {
        return errorMsgOffset;
    }

    /** @return bytes of a name field. */
    public int nameSize()
    {
        return nameSize;
    }

    /**
     * Writes a whole login frame at offset 0 of {@code frame} (whose order must be the TCP byte
     * order); every byte not set by a field is zero.
     *
     * @param frame destination, at least {@link #loginFrameSize()} bytes.
     * @param clientAck the client's {@code myAck}, carried in the header.
     * @param seqStart {@code clientSeqStart}.
     * @param seqEnd {@code clientSeqEnd}.
     * @param userData user data bytes (at most the configured size; the rest is zero) or null.
     * @param useShm the SHM flag.
     * @param clientName the client's name.
     * @param lastServerName the remembered server name, or "" for none.
     */
    public void encodeLogin(
        final ByteBuffer frame, final int clientAck, final int seqStart, final int seqEnd, final byte[] userData,
        final boolean useShm, final String clientName, final String lastServerName)
    {
        zero(frame, 0, loginFrameSize);
        FrameHeader.write(frame, 0, loginMsgSize, LOGIN_TYPE, clientAck);
        frame.putInt(SEQ_START_OFFSET, seqStart);
        frame.putInt(SEQ_END_OFFSET, seqEnd);
        putBytes(frame, loginUserDataOffset, userData, loginUserDataSize);
        frame.put(useShmOffset, (byte)(useShm ? 1 : 0));
        putName(frame, clientNameOffset, clientName, nameSize);
        putName(frame, lastServerNameOffset, lastServerName, nameSize);
    }

    /**
     * Writes a whole login response frame at offset 0 of {@code frame} except its user data, which
     * the caller writes (or leaves as it is) at {@link #rspUserDataOffset()}; every other byte not
     * set by a field is zero.
     *
     * @param frame destination in the TCP byte order, at least {@link #rspFrameSize()} bytes.
     * @param serverAck the server's {@code myAck}, carried in the header.
     * @param seqStart {@code serverSeqStart}.
     * @param seqEnd {@code serverSeqEnd}.
     * @param status 0, 1 or 2.
     * @param serverName the server's name (never empty).
     * @param errorMsg the error text; truncated to 31 bytes.
     */
    public void encodeRsp(
        final ByteBuffer frame, final int serverAck, final int seqStart, final int seqEnd, final int status,
        final String serverName, final String errorMsg)
    {
        zero(frame, 0, rspUserDataOffset);
        zero(frame, statusOffset, rspFrameSize - statusOffset);
        FrameHeader.write(frame, 0, rspMsgSize, LOGIN_RSP_TYPE, serverAck);
        frame.putInt(SEQ_START_OFFSET, seqStart);
        frame.putInt(SEQ_END_OFFSET, seqEnd);
        frame.put(statusOffset, (byte)status);
        putName(frame, serverNameOffset, serverName, nameSize);
        putText(frame, errorMsgOffset, errorMsg == null ? "" : errorMsg, ERROR_MSG_SIZE);
    }

    /**
     * @param frame the frame.
     * @param offset offset of the field.
     * @param fieldSize bytes of the field.
     * @return whether the field holds a NUL.
     */
    public static boolean hasNul(final ByteBuffer frame, final int offset, final int fieldSize)
    {
        for (int i = 0; i < fieldSize; i++)
        {
            if (frame.get(offset + i) == 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a NUL-terminated name field.
     *
     * @param frame the frame.
     * @param offset offset of the field.
     * @param fieldSize bytes of the field.
     * @return the UTF-8 text before the first NUL, or null when the field holds no NUL or those bytes are
     *     not UTF-8 (a name this side cannot name a file after).
     */
    public static String readCString(final ByteBuffer frame, final int offset, final int fieldSize)
    {
        for (int i = 0; i < fieldSize; i++)
        {
            if (frame.get(offset + i) == 0)
            {
                final byte[] bytes = new byte[i];
                for (int j = 0; j < i; j++)
                {
                    bytes[j] = frame.get(offset + j);
                }
                try
                {
                    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
                }
                catch (final CharacterCodingException ex)
                {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Reads a text field that is NUL-terminated when shorter than the field, and fills it otherwise.
     *
     * @param frame the frame.
     * @param offset offset of the field.
     * @param fieldSize bytes of the field.
     * @return the bytes before the first NUL, or the whole field when it holds none, as Latin-1.
     */
    public static String readText(final ByteBuffer frame, final int offset, final int fieldSize)
    {
        int n = 0;
        while (n < fieldSize && frame.get(offset + n) != 0)
        {
            n++;
        }
        final byte[] bytes = new byte[n];
        for (int j = 0; j < n; j++)
        {
            bytes[j] = frame.get(offset + j);
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes a name into a fixed NUL-terminated field as UTF-8, zero-filling the tail (names are
     * checked to fit {@code fieldSize - 1} bytes before they get here; a longer one is cut at a
     * character boundary).
     *
     * @param frame destination.
     * @param offset field offset.
     * @param value the name.
     * @param fieldSize bytes of the field.
     */
    public static void putName(final ByteBuffer frame, final int offset, final String value, final int fieldSize)
    {
        putBytes(frame, offset, fitted(value.getBytes(StandardCharsets.UTF_8), fieldSize - 1), fieldSize);
    }

    /** The longest prefix of {@code utf8} of at most {@code max} bytes that ends on a character boundary. */
    private static byte[] fitted(final byte[] utf8, final int max)
    {
        if (utf8.length <= max)
        {
            return utf8;
        }
        int n = max;
        while (n > 0 && (utf8[n] & 0xC0) == 0x80)
        {
            n--; // utf8[n] continues a character that would be cut
        }
        return java.util.Arrays.copyOf(utf8, n);
    }

    /**
     * Writes an error text into the fixed NUL-terminated error field (Latin-1, as {@link #readText}
     * reads it), truncated to {@code fieldSize - 1} bytes.
     */
    private static void putText(final ByteBuffer frame, final int offset, final String value, final int fieldSize)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        putBytes(frame, offset, bytes.length < fieldSize ? bytes : java.util.Arrays.copyOf(bytes, fieldSize - 1), fieldSize);
    }

    private static void putBytes(final ByteBuffer frame, final int offset, final byte[] src, final int fieldSize)
    {
        for (int i = 0; i < fieldSize; i++)
        {
            frame.put(offset + i, src != null && i < src.length ? src[i] : 0);
        }
    }

    private static void zero(final ByteBuffer frame, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            frame.put(offset + i, (byte)0);
        }
    }
}
