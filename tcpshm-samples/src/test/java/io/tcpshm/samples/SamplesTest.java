package io.tcpshm.samples;

import io.tcpshm.tools.CommandRun;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SamplesTest
{
    @Test
    void firstNumberFollowsTheTypeCycle()
    {
        // by hand from the documented protocol: types cycle 1, 2, 3, 4 and message n carries "type" numbers, so
        // messages 0, 1, 2, 3 start at 0, 1, 3, 6 and every 4 messages carry 10 numbers
        final int[] first = {0, 1, 3, 6, 10, 11, 13, 16, 20, 21, 23, 26, 30};
        for (int n = 0; n < first.length; n++)
        {
            assertThat(EchoCounters.firstNumber(n)).as("message %d", n).isEqualTo(first[n]);
        }
        final int[] types = {1, 2, 3, 4, 1, 2, 3, 4, 1};
        for (int n = 0; n < types.length; n++)
        {
            assertThat(EchoProtocol.typeFor(n)).as("type of message %d", n).isEqualTo(types[n]);
        }
        // far on: message 4k starts at 10k, and message n + 1 starts where message n's numbers end
        assertThat(EchoCounters.firstNumber(4_000)).isEqualTo(10_000);
        assertThat(EchoCounters.firstNumber(4_003)).isEqualTo(10_006);
        final int[] cycle = {1, 2, 3, 4};
        for (long n = 0; n < 10_000; n++)
        {
            assertThat(EchoCounters.firstNumber(n + 1) - EchoCounters.firstNumber(n)).as("numbers in message %d", n)
                .isEqualTo(cycle[(int)(n % 4)]);
        }
        // numbers wrap in 32 bits: message 4 * 429_496_730 would start at 4_294_967_300 = 2^32 + 4
        assertThat(EchoCounters.firstNumber(1_717_986_920L)).isEqualTo(4);
        assertThat(EchoCounters.firstNumber(1_717_986_923L)).isEqualTo(10);
        // message 4 * 429_496_729 + 3 starts at 4_294_967_290 + 6 = 2^32, so the one before it (type 3, from
        // 4_294_967_290 + 3) carries -3, -2, -1
        assertThat(EchoCounters.firstNumber(1_717_986_919L)).isEqualTo(0);
        assertThat(EchoCounters.firstNumber(1_717_986_918L)).isEqualTo(-3);
    }

    @Test
    void everySubcommandHasHelp()
    {
        for (final String command : new String[] {"echo-server", "echo-client"})
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
}
