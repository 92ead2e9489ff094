package io.tcpshm.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (servers, clients, sockets), closed after each test in the reverse order of
 * opening. Register it as a field: {@code @RegisterExtension final Closer closer = new Closer();}.
 * It runs after the test class's own {@code @AfterEach} methods; one that must see everything
 * closed first calls {@link #closeAll()} itself.
 */
public final class Closer implements AfterEachCallback
{
    private final List<AutoCloseable> open = new ArrayList<>();

    /**
     * @param resource something to close after the test.
     * @param <T> its type.
     * @return {@code resource}.
     */
    public <T extends AutoCloseable> T keep(final T resource)
    {
        open.add(resource);
        return resource;
    }

    /**
     * Closes {@code resource} now and no longer after the test.
     *
     * @param resource a kept resource.
     * @throws Exception from its close.
     */
    public void closeNow(final AutoCloseable resource) throws Exception
    {
        forget(resource);
        resource.close();
    }

    /**
     * Stops keeping {@code resource} (the test closed it, or it must outlive the test's end).
     *
     * @param resource a kept resource.
     */
    public void forget(final AutoCloseable resource)
    {
        open.remove(resource);
    }

    /**
     * Closes everything kept, newest first; the first failure (an assertion of a test server whose
     * thread failed, say) is thrown once all were tried, the others attached to it as suppressed.
     *
     * @throws Exception the first close failure.
     */
    public void closeAll() throws Exception
    {
        Throwable first = null;
        for (int i = open.size() - 1; i >= 0; i--)
        {
            try
            {
                open.get(i).close();
            }
            catch (final Throwable t)
            {
                if (first == null)
                {
                    first = t;
                }
                else
                {
                    first.addSuppressed(t);
                }
            }
        }
        open.clear();
        if (first instanceof Exception)
        {
            throw (Exception)first;
        }
        if (first instanceof Error)
        {
            throw (Error)first;
        }
    }

    @Override
    public void afterEach(final ExtensionContext context) throws Exception
    {
        closeAll();
    }
}
