package example;

import io.tcpshm.TcpShmConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExchangeTest
{
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyOrderIsFilledOnceInOrder(final boolean shm) throws Exception
    {
        Files.createDirectories(tmp.resolve("shm"));
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(tmp.resolve("shm")).build();
        final Exchange exchange = new Exchange(tmp.resolve("exchange"), config);
        assertTrue(exchange.server.start("127.0.0.1", 0));
        final Thread exchangeThread = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                exchange.poll(System.nanoTime() / 1_000_000_000L);
            }
        });
        exchangeThread.start();
        final Trader trader = new Trader(tmp.resolve("trader"), config);
        long quantity = 0;
        try
        {
            assertTrue(trader.client.connect(shm, "127.0.0.1", exchange.server.localPort(), null));
            long sent = 0;
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (trader.fills < 5_000 && System.nanoTime() < deadline)
            {
                final int q = (int)(1 + sent % 100);
                if (sent < 5_000 && trader.send(sent, 10_000 + sent, (int)(sent % 7), q, sent % 2 == 0 ? (byte)'B' : (byte)'S'))
                {
                    quantity += q;
                    sent++;
                }
                trader.poll(System.nanoTime() / 1_000_000_000L);
            }
        }
        finally
        {
            trader.client.stop();
            exchangeThread.interrupt();
            exchangeThread.join();
            exchange.server.stop();
        }
        assertEquals(5_000, trader.fills);
        assertEquals(4_999, trader.lastFillId);
        assertEquals(quantity, trader.filledQuantity);
    }
}
