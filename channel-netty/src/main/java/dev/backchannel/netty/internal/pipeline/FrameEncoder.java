package dev.backchannel.netty.internal.pipeline;

import com.google.protobuf.CodedOutputStream;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.io.IOException;
import java.util.List;

/** Serializes a {@link Frame} for the length prefix that follows it in the pipeline. Sharable. */
@Sharable
final class FrameEncoder extends MessageToMessageEncoder<Frame> {
  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) throws IOException {
    // Serialized straight into a pooled buffer (no intermediate array).
    int size = frame.getSerializedSize();
    ByteBuf buf = ctx.alloc().heapBuffer(size, size);
    try {
      CodedOutputStream o = CodedOutputStream.newInstance(buf.array(), buf.arrayOffset() + buf.writerIndex(), size);
      frame.writeTo(o);
      o.checkNoSpaceLeft();
      buf.writerIndex(buf.writerIndex() + size);
      out.add(buf);
      buf = null;
    } finally {
      if (buf != null) {
        buf.release();
      }
    }
  }
}
