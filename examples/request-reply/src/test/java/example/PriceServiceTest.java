package example;

import io.tcpshm.TcpShmConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PriceServiceTest
{
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyRequestIsAnsweredOnceInOrder(final boolean shm) throws Exception
    {
        final TcpShmConfig config = TcpShmConfig.builder().shmDir(tmp.resolve("shm")).build();
        java.nio.file.Files.createDirectories(tmp.resolve("shm"));
        final PriceServer prices = new PriceServer(tmp.resolve("server"), config);
        assertTrue(prices.server.start("127.0.0.1", 0));
        final Thread serverThread = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                prices.poll(System.nanoTime() / 1_000_000_000L);
            }
        });
        serverThread.start();
        final List<long[]> replies = new ArrayList<>();
        final PriceClient trader = new PriceClient(tmp.resolve("client"), config, (id, price) -> replies.add(new long[] {id, price}));
        try
        {
            assertTrue(trader.client.connect(shm, "127.0.0.1", prices.server.localPort(), null));
            int sent = 0;
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (replies.size() < 1000 && System.nanoTime() < deadline)
            {
                if (sent < 1000 && trader.request(sent % 50) >= 0)
                {
                    sent++;
                }
                trader.poll(System.nanoTime() / 1_000_000_000L);
            }
        }
        finally
        {
            trader.client.stop();
            serverThread.interrupt();
            serverThread.join();
            prices.server.stop();
        }
        assertEquals(1000, replies.size());
        for (int i = 0; i < replies.size(); i++)
        {
            assertEquals(i, replies.get(i)[0], "request id of reply " + i);
            assertEquals(PriceServer.priceOf(i % 50), replies.get(i)[1], "price of reply " + i);
        }
    }
}
