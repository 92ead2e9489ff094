package io.tcpshm.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * One measured row: a ping-pong latency distribution, a streaming rate, or a JMH score. Written by a
 * benchmark process as a small JSON object and read back by the orchestrator.
 */
public final class BenchResult
{
    /** Kind of row: round-trip latency. */
    public static final String RTT = "rtt";
    /** Kind of row: one-way throughput. */
    public static final String STREAM = "stream";
    /** Kind of row: JMH micro-benchmark. */
    public static final String JMH = "jmh";
    /** Kind of row: not run on this machine; {@code reason} says why. */
    public static final String SKIPPED = "skipped";
    /** Kind of a row of memory figures (no latency). */
    public static final String MEMORY = "memory";

    static final ObjectMapper MAPPER = new ObjectMapper();

    final Map<String, Object> fields = new LinkedHashMap<>();

    /**
     * @param kind {@link #RTT}, {@link #STREAM}, {@link #JMH} or {@link #SKIPPED}.
     * @param name short label of the row, e.g. "shm ping-pong 64B tcpshm".
     */
    public BenchResult(final String kind, final String name)
    {
        fields.put("kind", kind);
        fields.put("name", name);
    }

    /**
     * @param key field name.
     * @param value number or string.
     * @return this.
     */
    public BenchResult put(final String key, final Object value)
    {
        fields.put(key, value);
        return this;
    }

    /**
     * @param key field name.
     * @return the value or null.
     */
    public Object get(final String key)
    {
        return fields.get(key);
    }

    /**
     * @param key field name of a number.
     * @return its value as a double, NaN when absent.
     */
    public double num(final String key)
    {
        final Object v = fields.get(key);
        return v instanceof Number ? ((Number)v).doubleValue() : Double.NaN;
    }

    /** @return the row's label. */
    public String name()
    {
        return (String)fields.get("name");
    }

    /**
     * Fills the latency fields (nanoseconds) from a histogram of round trips and keeps the encoded
     * histogram for the chart.
     *
     * @param h round-trip times in nanoseconds.
     * @return this.
     */
    public BenchResult latency(final Histogram h)
    {
        put("count", h.getTotalCount());
        put("meanNs", Math.round(h.getMean()));
        put("p50Ns", h.getValueAtPercentile(50));
        put("p90Ns", h.getValueAtPercentile(90));
        put("p99Ns", h.getValueAtPercentile(99));
        put("p999Ns", h.getValueAtPercentile(99.9));
        put("maxNs", h.getMaxValue());
        final ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        final int n = h.encodeIntoCompressedByteBuffer(b, Deflater.BEST_SPEED);
        final byte[] bytes = new byte[n];
        b.flip();
        b.get(bytes);
        put("histogram", Base64.getEncoder().encodeToString(bytes));
        return this;
    }

    /**
     * Joins round-trip rows of the same transport measured by several process pairs: their
     * histograms added, the client's allocation per round trip weighted by round trips, and each
     * pair's p50 kept ({@code pairP50Ns}).
     *
     * @param parts RTT rows with histograms, all of one name.
     * @return one row.
     */
    public static BenchResult mergeRtt(final java.util.List<BenchResult> parts)
    {
        final BenchResult first = parts.get(0);
        final Histogram sum = first.histogram().copy();
        final java.util.List<Object> p50s = new java.util.ArrayList<>();
        double allocated = 0;
        boolean anyAlloc = false;
        for (int i = 0; i < parts.size(); i++)
        {
            final BenchResult part = parts.get(i);
            final Histogram h = part.histogram();
            if (i > 0)
            {
                sum.add(h);
            }
            p50s.add(part.num("p50Ns"));
            if (part.get("allocBytesPerMsg") != null)
            {
                anyAlloc = true;
                allocated += part.num("allocBytesPerMsg") * h.getTotalCount();
            }
        }
        final BenchResult merged = new BenchResult(RTT, first.name()).latency(sum);
        merged.put("pairs", parts.size()).put("pairP50Ns", p50s);
        if (anyAlloc)
        {
            merged.put("allocBytesPerMsg", allocated / Math.max(1, sum.getTotalCount()));
        }
        return merged;
    }

    /**
     * @return the latency histogram of an RTT row, or null.
     */
    public Histogram histogram()
    {
        final Object encoded = fields.get("histogram");
        if (!(encoded instanceof String))
        {
            return null;
        }
        try
        {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode((String)encoded)), 0);
        }
        catch (final java.util.zip.DataFormatException ex)
        {
            return null;
        }
    }

    /** @return the fields, for JSON output. */
    public Map<String, Object> fields()
    {
        return fields;
    }

    /** @return the row as a JSON object. */
    public String toJson()
    {
        try
        {
            return MAPPER.writeValueAsString(fields);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param json an object written by {@link #toJson()}.
     * @return the row.
     */
    public static BenchResult fromJson(final String json)
    {
        try
        {
            final Map<String, Object> map = MAPPER.readValue(json, new TypeReference<Map<String, Object>>()
            {
            });
            final BenchResult r = new BenchResult((String)map.get("kind"), (String)map.get("name"));
            r.fields.putAll(map);
            return r;
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalArgumentException("not a result: " + ex.getMessage(), ex);
        }
    }
}
