package dev.backchannel.netty.internal.pipeline;

import dev.backchannel.netty.internal.wire.Error;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.Ok;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

/** Frame helpers and the codec stack shared by the relay and the client. */
public final class Frames {
  private Frames() {}

  /**
   * Adds the framing: a u32 big-endian length prefix (at most {@code maxFrameBytes}, checked
   * before anything is allocated, fail-fast) and the protobuf codec of {@link Frame}.
   */
  public static void addCodec(ChannelPipeline p, int maxFrameBytes) {
    p.addLast("frameDecoder", new LengthFieldBasedFrameDecoder(maxFrameBytes, 0, 4, 0, 4, true));
    p.addLast("protobufDecoder", new FrameDecoder());
    p.addLast("frameEncoder", new LengthFieldPrepender(4));
    p.addLast("protobufEncoder", new FrameEncoder());
  }

  /** An Ok reply to {@code requestId}. */
  public static Frame ok(long requestId) {
    return Frame.newBuilder().setRequestId(requestId).setOk(Ok.getDefaultInstance()).build();
  }

  /** An error reply to {@code requestId} (0 when not tied to a request). */
  public static Frame error(long requestId, ErrorCode code, String reason) {
    return Frame.newBuilder()
        .setRequestId(requestId)
        .setError(Error.newBuilder().setCode(code).setReason(reason))
        .build();
  }
}
