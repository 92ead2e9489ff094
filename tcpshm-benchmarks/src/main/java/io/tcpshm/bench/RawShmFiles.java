package io.tcpshm.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The mapped files the raw shared-memory floors exchange data through, and the ordered long access
 * both of their sides use on them.
 */
final class RawShmFiles
{
    /** Acquire/release access to native-order longs in a mapped buffer; a constant, so the JIT inlines it. */
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private RawShmFiles()
    {
    }

    /**
     * Maps a file under the {@code shmDir} option, creating it if it is not there yet, so that
     * whichever side starts first creates it and both see the same pages.
     *
     * @param options the node's options.
     * @param name file name.
     * @param size bytes to map.
     * @return the mapping, in native byte order.
     * @throws IOException if the file cannot be opened or mapped.
     */
    static MappedByteBuffer map(final NodeOptions options, final String name, final int size) throws IOException
    {
        final Path file = Path.of(options.opt("shmDir", "/dev/shm")).resolve(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            final MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            b.order(ByteOrder.nativeOrder());
            return b;
        }
    }
}
