package dev.backchannel.netty.client;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.netty.internal.wire.Frame;

/**
 * Passes what happens to the connection on to each part of the link, in a fixed order, on the
 * loop. Once a connection is ready, sender keys are proven and subscriptions made again, the
 * outbox goes out again, and then the requests that waited for the connection. When it drops,
 * each part forgets what held only for it, and requests in flight fail. When the link fails for
 * good, waiting requests and send futures fail with its error; when it closes, every request and
 * send future fails with {@link RelayUnavailableException} and every key is closed.
 */
final class LinkLifecycle implements LinkConnection.Events {
  private final RequestTracker requests;
  private final SenderAuthorization authorization;
  private final Subscriptions subscriptions;
  private final ReliableSender sender;
  private final RelayCommands commands;

  LinkLifecycle(RequestTracker requests, SenderAuthorization authorization, Subscriptions subscriptions,
      ReliableSender sender, RelayCommands commands) {
    this.requests = requests;
    this.authorization = authorization;
    this.subscriptions = subscriptions;
    this.sender = sender;
    this.commands = commands;
  }

  @Override
  public void ready() {
    authorization.connected();
    subscriptions.connected();
    sender.connected();
    requests.connected();
  }

  @Override
  public void delivered(Frame frame) {
    subscriptions.deliver(frame);
  }

  @Override
  public void replied(Frame frame) {
    requests.answered(frame);
  }

  @Override
  public void lost() {
    authorization.lost();
    sender.lost();
    subscriptions.lost();
    requests.lost();
  }

  @Override
  public void failed(BackchannelException e) {
    requests.failed(e);
    sender.failAll(e);
  }

  @Override
  public void closing() {
    RelayUnavailableException e = new RelayUnavailableException("relay link is closed");
    requests.closing(e);
    sender.failAll(e);
    subscriptions.close();
    authorization.close();
    commands.close();
  }
}
