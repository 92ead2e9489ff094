package io.tcpshm.harness;

import io.tcpshm.tools.CommandRun;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DemoTest
{
    @Test
    void theDemoAndTheChaosRunnerHaveHelp()
    {
        for (final String command : new String[] {"demo", "chaos"})
        {
            final CommandRun run = CommandRun.run(command, "--help");
            assertThat(run.exit).isZero();
            assertThat(run.out).contains("Usage: tcpshm " + command);
        }
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
