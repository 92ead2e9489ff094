package io.tcpshm.harness;

import java.io.PrintStream;

/**
 * The options of {@code tcpshm chaos} that a mode's run needs, handed over explicitly so that {@link ChaosMode} does
 * not depend on the command object.
 *
 * @param kills                  SIGKILLs per mode.
 * @param maxDelayMs             longest random delay before a steady-state kill, ms.
 * @param recoveryTimeoutSeconds seconds a kill may take to recover before it counts as a stuck restart.
 * @param clientMode             how the echo client sends.
 * @param quiet                  true to print no line per kill.
 * @param out                    where the progress lines go.
 */
record ChaosSettings(int kills, int maxDelayMs, int recoveryTimeoutSeconds, ChaosCommand.ClientMode clientMode,
    boolean quiet, PrintStream out)
{
}
