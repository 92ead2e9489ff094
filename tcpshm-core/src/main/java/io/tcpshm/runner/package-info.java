/**
 * Optional polling threads for a client or a server: {@link io.tcpshm.runner.PollRunner} calls the polls
 * in a loop on a thread the user chooses (one thread for everything, or one per group) and, when a round
 * did no work, asks an {@link io.tcpshm.runner.IdleStrategy} how to wait: spin
 * ({@link io.tcpshm.runner.BusySpinIdleStrategy}), yield ({@link io.tcpshm.runner.YieldingIdleStrategy}) or
 * back off to parking ({@link io.tcpshm.runner.BackoffIdleStrategy}). The engine itself still starts no
 * thread and reads no clock; this package does both, on the user's request.
 */
package io.tcpshm.runner;
