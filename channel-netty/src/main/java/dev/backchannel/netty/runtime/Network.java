package dev.backchannel.netty.runtime;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a relay's answer on a caller's thread (never the stage's), with typed errors. */
final class Network {
  private Network() {}

  static <T> T await(CompletableFuture<T> f, Duration timeout) throws BackchannelException {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RelayUnavailableException("interrupted while waiting for the relay");
    } catch (TimeoutException e) {
      throw new RelayUnavailableException("the relay did not answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof BackchannelException b) {
        throw b;
      }
      throw new RelayUnavailableException("relay request failed: " + e.getCause());
    }
  }
}
