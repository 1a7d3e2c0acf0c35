package dev.backchannel.netty.relay.store;

import dev.backchannel.api.error.StateStoreException;

/**
 * A write failed because the store's disk is full. Nothing of the failed write is durable and
 * nothing was acknowledged; the relay answers {@code STORAGE_FULL}, and writes succeed again once
 * space is freed (for example when acknowledgements delete envelopes). The message holds no
 * secret.
 *
 * @since 0.2
 */
public final class StorageFullException extends StateStoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with its cause. */
  public StorageFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
