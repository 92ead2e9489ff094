package io.tcpshm.internal;

import java.io.Closeable;
import java.io.IOException;

/**
 * Closing sockets, selectors and channels on paths that have already decided to drop them: a failure to close
 * changes nothing there (the descriptor is released either way), so it is ignored.
 */
public final class Closeables
{
    private Closeables()
    {
    }

    /**
     * Closes {@code closeable}, ignoring an {@link IOException} from it.
     *
     * @param closeable what to close, or null.
     */
    public static void closeQuietly(final Closeable closeable)
    {
        if (closeable != null)
        {
            try
            {
                closeable.close();
            }
            catch (final IOException ignore)
            {
                // dropped either way
            }
        }
    }
}
