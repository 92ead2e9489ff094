package io.tcpshm.samples;

import org.junit.jupiter.api.Test;

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

    @Test
    void everySubcommandHasHelp()
    {
        for (final String command : new String[] {"demo", "echo-server", "echo-client"})
        {
            final CommandRun run = CommandRun.run(command, "--help");
            assertThat(run.exit).isZero();
            assertThat(run.out).contains("Usage: tcpshm " + command);
        }
    }

    @Test
    void aUserMistakeIsOneLineAndANonZeroExit()
    {
        CommandRun run = CommandRun.run("echo-client", "--no-such-option");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err).startsWith("tcpshm: Unknown option: '--no-such-option'").doesNotContain("\tat ");

        run = CommandRun.run("echo-server", "--shm-queue-size", "1000", "--port", "0");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err.trim()).isEqualTo("tcpshm echo-server: shmQueueSize = 1000: must be 64 times a power of two");

        run = CommandRun.run("echo-client", "--name", "../x");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err.trim()).isEqualTo("tcpshm echo-client: clientName '../x' contains '/'");
    }

    @Test
    void theDemoRunsBothModesWithKillsAndLosesNothing()
    {
        final CommandRun run = CommandRun.run("demo", "--phase-seconds", "0.7");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).contains("client killed (SIGKILL)", "server killed (SIGKILL)",
            "Every message was echoed exactly once");
        assertThat(run.out).containsPattern("SHM +[1-9][0-9]* +[1-9][0-9]* +0 +0 ");
        assertThat(run.out).containsPattern("TCP +[1-9][0-9]* +[1-9][0-9]* +0 +0 ");
    }
}
