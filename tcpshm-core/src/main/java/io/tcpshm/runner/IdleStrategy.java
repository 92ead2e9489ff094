package io.tcpshm.runner;

/**
 * How a polling loop waits after a round that did no work. The work count is what the polls returned
 * (messages delivered plus socket operations that moved bytes): a round with work resets the strategy,
 * so that a busy loop never waits and an idle one waits more and more, as far as the strategy goes.
 * A strategy keeps state and belongs to one loop.
 */
public interface IdleStrategy
{
    /**
     * Called after every round of polls.
     *
     * @param workCount what the round's polls returned together; 0 means there was nothing to do.
     */
    void idle(int workCount);

    /** Forgets how long the loop has been idle (the next idle round starts from the shortest wait). */
    void reset();
}
