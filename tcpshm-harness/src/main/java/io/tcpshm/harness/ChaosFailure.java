package io.tcpshm.harness;

/**
 * Unexpected end of one mode of the chaos run (a stuck restart, a process that exited by itself, a failed final
 * check): the message says what and where, with the tails of the logs. A checked exception so that every wait of
 * {@link ChaosMode} has to declare that it can end the mode.
 */
final class ChaosFailure extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, where, and the log tails that show it.
     */
    ChaosFailure(final String message)
    {
        super(message);
    }
}
