package io.tcpshm.bench;

import org.HdrHistogram.Histogram;

/**
 * The round-trip histogram every ping-pong client records into, sized once so recording never allocates.
 */
final class RttHistograms
{
    /** Largest round trip recorded (longer ones count as this); fixed so the histogram never resizes (allocates). */
    static final long MAX_RTT_NS = 60_000_000_000L;

    private RttHistograms()
    {
    }

    /**
     * @return an empty histogram of round trips up to {@link #MAX_RTT_NS}, three significant digits.
     */
    static Histogram newHistogram()
    {
        return new Histogram(MAX_RTT_NS, 3);
    }
}
