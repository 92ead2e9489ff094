package io.tcpshm.runner;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdleStrategyTest
{
    @Test
    void theBackoffSpinsThenYieldsThenParksLongerAndLongerAndStartsOverAfterWork()
    {
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(2, 2, 1_000, 4_000);
        assertThat(idle.toString()).endsWith("next: spin}");
        idle.idle(0);
        assertThat(idle.toString()).as("one spin of two").endsWith("next: spin}");
        idle.idle(0);
        assertThat(idle.toString()).endsWith("next: yield}");
        idle.idle(0);
        idle.idle(0);
        assertThat(idle.toString()).endsWith("next: park 1000 ns}");
        idle.idle(0);
        assertThat(idle.toString()).endsWith("next: park 2000 ns}");
        idle.idle(0);
        idle.idle(0);
        assertThat(idle.toString()).as("capped at maxParkNanos").endsWith("next: park 4000 ns}");
        idle.idle(3);
        assertThat(idle.toString()).as("work resets the back-off").endsWith("next: spin}");
        idle.idle(0);
        idle.idle(0);
        idle.idle(0);
        idle.idle(0);
        idle.reset();
        assertThat(idle.toString()).endsWith("next: spin}");
    }

    @Test
    void stepsOfZeroRoundsAreSkipped()
    {
        final BackoffIdleStrategy parkOnly = new BackoffIdleStrategy(0, 0, 10, 10);
        assertThat(parkOnly.toString()).endsWith("next: park 10 ns}");
        final BackoffIdleStrategy noYield = new BackoffIdleStrategy(1, 0, 10, 20);
        noYield.idle(0);
        assertThat(noYield.toString()).endsWith("next: park 10 ns}");
    }

    @Test
    void settingsOutOfRangeAreRefusedByName()
    {
        assertThatThrownBy(() -> new BackoffIdleStrategy(-1, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("maxSpins = -1: must be 0 or more");
        assertThatThrownBy(() -> new BackoffIdleStrategy(0, -1, 1, 1)).hasMessage("maxYields = -1: must be 0 or more");
        assertThatThrownBy(() -> new BackoffIdleStrategy(0, 0, 0, 1)).hasMessage("minParkNanos = 0: must be 1 or more");
        assertThatThrownBy(() -> new BackoffIdleStrategy(0, 0, 5, 4))
            .hasMessage("maxParkNanos = 4: must be at least minParkNanos (5)");
    }

    @Test
    void theDefaultsAreTheDocumentedOnes()
    {
        assertThat(new BackoffIdleStrategy().toString())
            .isEqualTo("BackoffIdleStrategy{spins 10000, yields 100, parks 1000-1000000 ns; next: spin}");
    }
}
