package dev.backchannel.netty.internal.pipeline;

import dev.backchannel.netty.internal.wire.Frame;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Serializes a {@link Frame} for the length prefix that follows it in the pipeline. Sharable. */
@Sharable
final class FrameEncoder extends MessageToMessageEncoder<Frame> {
  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
    out.add(Unpooled.wrappedBuffer(frame.toByteArray()));
  }
}
