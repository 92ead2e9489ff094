package io.tcpshm.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A private copy of a file's bytes, in native order, for the read-only views. */
final class FileCopy
{
    private FileCopy()
    {
    }

    static ByteBuffer of(final Path path) throws IOException
    {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ))
        {
            final long size = ch.size();
            if (size > Integer.MAX_VALUE)
            {
                throw new IOException(path + " has " + size + " bytes: not a tcpshm file");
            }
            final ByteBuffer b = ByteBuffer.allocateDirect((int)size).order(ByteOrder.nativeOrder());
            while (b.hasRemaining() && ch.read(b) >= 0)
            {
                // until the whole file is copied
            }
            return b.clear();
        }
    }
}
