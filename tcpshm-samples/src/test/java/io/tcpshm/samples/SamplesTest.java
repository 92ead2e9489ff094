package io.tcpshm.samples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SamplesTest
{
    @Test
    void firstNumberFollowsTheTypeCycle()
    {
        long number = 0;
        for (long n = 0; n < 10_000; n++)
        {
            assertThat(EchoCounters.firstNumber(n)).as("message %d", n).isEqualTo((int)number);
            number += EchoProtocol.typeFor(n);
        }
        assertThat(EchoProtocol.typeFor(0)).isEqualTo(1);
        assertThat(EchoProtocol.typeFor(3)).isEqualTo(4);
        assertThat(EchoProtocol.typeFor(4)).isEqualTo(1);
    }

    private static String[] runCapturing(final int[] exit, final String... args)
    {
        final PrintStream oldOut = System.out;
        final PrintStream oldErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit[0] = Main.run(args);
        }
        finally
        {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void everySubcommandHasHelp()
    {
        for (final String command : new String[] {"demo", "echo-server", "echo-client"})
        {
            final int[] exit = new int[1];
            final String[] outErr = runCapturing(exit, command, "--help");
            assertThat(exit[0]).isZero();
            assertThat(outErr[0]).contains("Usage: tcpshm " + command);
        }
    }

    @Test
    void aUserMistakeIsOneLineAndANonZeroExit()
    {
        final int[] exit = new int[1];
        String[] outErr = runCapturing(exit, "echo-client", "--no-such-option");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(outErr[1]).startsWith("tcpshm: Unknown option: '--no-such-option'").doesNotContain("\tat ");

        outErr = runCapturing(exit, "echo-server", "--shm-queue-size", "1000", "--port", "0");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(outErr[1].trim()).isEqualTo("tcpshm echo-server: shmQueueSize = 1000: must be 64 times a power of two");

        outErr = runCapturing(exit, "echo-client", "--name", "../x");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(outErr[1].trim()).isEqualTo("tcpshm echo-client: clientName '../x' contains '/'");
    }

    @Test
    void theDemoRunsBothModesWithKillsAndLosesNothing()
    {
        final int[] exit = new int[1];
        final String[] outErr = runCapturing(exit, "demo", "--phase-seconds", "0.7");
        assertThat(exit[0]).as(outErr[0] + outErr[1]).isZero();
        assertThat(outErr[0]).contains("client killed (SIGKILL)", "server killed (SIGKILL)",
            "Every message was echoed exactly once");
        assertThat(outErr[0]).containsPattern("SHM +[1-9][0-9]* +[1-9][0-9]* +0 +0 ");
        assertThat(outErr[0]).containsPattern("TCP +[1-9][0-9]* +[1-9][0-9]* +0 +0 ");
    }
}
