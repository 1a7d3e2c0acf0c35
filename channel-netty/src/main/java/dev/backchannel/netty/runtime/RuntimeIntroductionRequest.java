package dev.backchannel.netty.runtime;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.IntroductionRequest;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.netty.internal.runtime.IntroductionRequestRecord;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/** An {@link IntroductionRequest} as it was when handed out; answers go to {@link IntroductionRequests}. */
final class RuntimeIntroductionRequest implements IntroductionRequest {
  private final IntroductionRequests requests;
  private final String key;
  private final String id;
  private final String from;
  private final String label;
  private final String note;
  private final Instant expiresAt;

  RuntimeIntroductionRequest(IntroductionRequests requests, String key, IntroductionRequestRecord r, String from) {
    this.requests = requests;
    this.key = key;
    this.id = HexFormat.of().formatHex(r.getId().toByteArray());
    this.from = from;
    this.label = r.getLabel();
    this.note = r.getNote();
    this.expiresAt = Instant.ofEpochMilli(r.getExpiresAtMillis());
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String from() {
    return from;
  }

  @Override
  public String proposedLabel() {
    return label;
  }

  @Override
  public String note() {
    return note;
  }

  @Override
  public Instant expiresAt() {
    return expiresAt;
  }

  @Override
  public CompletableFuture<Conversation> accept(String name) throws BackchannelException {
    return requests.accept(key, name);
  }

  @Override
  public void decline() throws BackchannelException {
    requests.decline(key);
  }

  @Override
  public String toString() {
    return "IntroductionRequest[" + id + " from " + from + ": " + label + "]";
  }
}
