package io.tcpshm.bench;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * An SVG chart of latency percentile distributions: x is the percentile on a "nines" scale
 * (50, 90, 99, 99.9, 99.99), y the round-trip time on a log scale; one curve per row.
 */
final class Chart
{
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int W = 980;
    private static final int H = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 330;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final double MAX_NINES = 4; // 99.99 %

    private Chart()
    {
    }

    static String svg(final String title, final List<BenchResult> rows)
    {
        double minNs = Double.MAX_VALUE;
        double maxNs = 1;
        for (final BenchResult r : rows)
        {
            final Histogram h = r.histogram();
            if (h != null && h.getTotalCount() > 0)
            {
                minNs = Math.min(minNs, Math.max(1, h.getValueAtPercentile(0)));
                maxNs = Math.max(maxNs, h.getValueAtPercentile(99.99));
            }
        }
        if (minNs == Double.MAX_VALUE)
        {
            minNs = 1;
        }
        final double yMin = Math.floor(Math.log10(minNs));
        final double yMax = Math.ceil(Math.log10(maxNs));
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        final int plotW = W - LEFT - RIGHT;
        final int plotH = H - TOP - BOTTOM;
        for (int n = 0; n <= MAX_NINES; n++)
        {
            final double x = LEFT + plotW * n / MAX_NINES;
            final String label = n == 0 ? "0%" : String.format(Locale.ROOT, "%s%%", 100 - 100 / Math.pow(10, n));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                x, TOP, x, TOP + plotH));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotH + 18, label));
        }
        for (double e = yMin; e <= yMax; e++)
        {
            final double y = TOP + plotH - plotH * (e - yMin) / Math.max(1, yMax - yMin);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                LEFT, y, LEFT + plotW, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, nanos(Math.pow(10, e))));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotW / 2, H - 18));
        sb.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" " +
            "text-anchor=\"middle\">round-trip time</text>%n", TOP + plotH / 2, TOP + plotH / 2));
        int i = 0;
        for (final BenchResult r : rows)
        {
            final Histogram h = r.histogram();
            if (h == null || h.getTotalCount() == 0)
            {
                continue;
            }
            final String colour = COLOURS[i % COLOURS.length];
            final StringBuilder points = new StringBuilder();
            for (int step = 0; step <= 200; step++)
            {
                final double nines = MAX_NINES * step / 200.0;
                final double percentile = 100 - 100 / Math.pow(10, nines);
                final double ns = Math.max(1, h.getValueAtPercentile(percentile));
                final double x = LEFT + plotW * nines / MAX_NINES;
                final double y = TOP + plotH - plotH * (Math.log10(ns) - yMin) / Math.max(1, yMax - yMin);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                colour, points.toString().trim()));
            final int ly = TOP + 10 + 20 * i;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" " +
                "stroke-width=\"3\"/>%n", W - RIGHT + 15, ly, W - RIGHT + 40, ly, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", W - RIGHT + 46, ly + 4,
                escape(r.name())));
            i++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String nanos(final double ns)
    {
        if (ns >= 1e6)
        {
            return String.format(Locale.ROOT, "%.0f ms", ns / 1e6);
        }
        if (ns >= 1e3)
        {
            return String.format(Locale.ROOT, "%.0f us", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f ns", ns);
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
