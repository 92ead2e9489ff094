package io.tcpshm.tools;

/**
 * Shutdown hooks of commands that can also run in-process (tests run them through {@link Main#run}).
 */
public final class ShutdownHooks
{
    private ShutdownHooks()
    {
    }

    /**
     * Removes a command's shutdown hook when its run ended by itself, so that a command run in-process
     * leaves none behind; during a shutdown the hook is what is ending the run, and stays.
     *
     * @param hook the hook the command registered.
     */
    public static void remove(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // the hook is running
        }
    }
}
