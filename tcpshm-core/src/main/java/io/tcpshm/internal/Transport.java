package io.tcpshm.internal;

import java.nio.ByteBuffer;

/**
 * What a connection's user API does on the files its last login chose: a PTCP queue and the TCP
 * session ({@link TcpTransport}), or two SHM rings ({@link ShmTransport}). The connection publishes one
 * of the two at login and calls it without asking which it is, so each call site sees at most two types
 * (the JIT inlines both behind one type check).
 *
 * <p>Methods return offsets and sizes, never views: the connection points its two reusable
 * {@code MsgHeader}s at the returned offset in the buffers named here, at every call, because the TCP
 * receive buffer is replaced when it grows and the rings when SHM reconnects.
 */
public sealed interface Transport permits TcpTransport, ShmTransport
{
    /** {@link #alloc} result: no room now (poll to receive acks or let the consumer catch up, then retry). */
    int NO_ROOM = -1;
    /** {@link #front} result: no message now. */
    int NO_MESSAGE = -1;

    /**
     * @param payloadLength the length the user asks for.
     * @throws IllegalArgumentException when no queue of this configuration could ever hold it, naming the limit.
     */
    void checkPayloadLength(int payloadLength);

    /**
     * Reserves room for a message (its length already checked).
     *
     * @param payloadLength payload bytes.
     * @return the header's offset in {@link #sendHeaders()}, or {@link #NO_ROOM}.
     */
    int alloc(int payloadLength);

    /** @return the buffer holding allocated headers (the ring in host order, or the PTCP queue). */
    ByteBuffer sendHeaders();

    /** @return a view of {@link #sendHeaders()} in the payloads' byte order. */
    ByteBuffer sendPayloads();

    /** @return true when the caller allocated a message here that it has not pushed. */
    boolean hasAllocated();

    /**
     * Publishes the allocated message.
     *
     * @param write TCP: also write unsent queue bytes to the socket now ({@code push}, not {@code pushMore}).
     */
    void push(boolean write);

    /** @return the oldest received message's header offset in {@link #receiveHeaders()}, or {@link #NO_MESSAGE}. */
    int front();

    /** @return the buffer holding received headers now. */
    ByteBuffer receiveHeaders();

    /** @return a view of {@link #receiveHeaders()} in the payloads' byte order. */
    ByteBuffer receivePayloads();

    /**
     * Consumes the message of the last {@link #front()}.
     *
     * @return its size field, or 0 when the caller holds no message here.
     */
    int pop();

    /** @return where the send queue stands (see {@code TcpShmConnection.sendPosition}). */
    long sendPosition();

    /** @return where the receive side stands (see {@code TcpShmConnection.receivePosition}). */
    long receivePosition();
}
