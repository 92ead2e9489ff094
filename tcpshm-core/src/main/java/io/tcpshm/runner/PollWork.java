package io.tcpshm.runner;

/**
 * One round of polls, as a {@link PollRunner} calls it; {@link Polls} makes the usual ones.
 */
@FunctionalInterface
public interface PollWork
{
    /**
     * @return the work the polls did (the sum of what they returned); 0 lets the idle strategy wait.
     */
    int poll();
}
