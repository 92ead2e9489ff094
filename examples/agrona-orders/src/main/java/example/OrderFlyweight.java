package example;

import io.tcpshm.MsgHeader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An order (and its fill) read and written in place, in the message's own bytes: no copy, no object per
 * message. The view is re-pointed only when tcpshm hands out another buffer (a grown receive buffer, new
 * rings after an SHM login), which a reference compare detects.
 */
final class OrderFlyweight
{
    static final int ORDER = 1;
    static final int FILL = 2;
    static final int LENGTH = 32;
    private static final int ID = 0;          // long
    private static final int PRICE = 8;       // long, in cents
    private static final int INSTRUMENT = 16; // int
    private static final int QUANTITY = 20;   // int
    private static final int SIDE = 24;       // byte: 'B' or 'S'

    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private int offset;

    /** Points at a message's payload. */
    OrderFlyweight wrap(final MsgHeader msg)
    {
        if (view.byteBuffer() != msg.buffer())
        {
            view.wrap(msg.buffer());
        }
        offset = msg.payloadOffset();
        return this;
    }

    long id()
    {
        return view.getLong(offset + ID);
    }

    long price()
    {
        return view.getLong(offset + PRICE);
    }

    int instrument()
    {
        return view.getInt(offset + INSTRUMENT);
    }

    int quantity()
    {
        return view.getInt(offset + QUANTITY);
    }

    byte side()
    {
        return view.getByte(offset + SIDE);
    }

    OrderFlyweight set(final long id, final long price, final int instrument, final int quantity, final byte side)
    {
        view.putLong(offset + ID, id);
        view.putLong(offset + PRICE, price);
        view.putInt(offset + INSTRUMENT, instrument);
        view.putInt(offset + QUANTITY, quantity);
        view.putByte(offset + SIDE, side);
        return this;
    }
}
