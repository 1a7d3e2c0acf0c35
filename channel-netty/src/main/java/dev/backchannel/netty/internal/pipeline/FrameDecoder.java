package dev.backchannel.netty.internal.pipeline;

import com.google.protobuf.CodedInputStream;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Parses one length-delimited frame's bytes as a {@link Frame}. Bytes that are not a valid frame
 * fail with Netty's {@code DecoderException} (its cause the parser's exception), which the
 * handlers treat as a protocol violation. Stateless and sharable.
 */
@Sharable
final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {
  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    int length = in.readableBytes();
    if (in.hasArray()) {
      out.add(Frame.parser().parseFrom(in.array(), in.arrayOffset() + in.readerIndex(), length));
    } else if (in.nioBufferCount() == 1) {
      // Read straight from the (direct) buffer: only the fields' bytes are copied.
      out.add(Frame.parser().parseFrom(CodedInputStream.newInstance(in.nioBuffer(in.readerIndex(), length))));
    } else {
      out.add(Frame.parser().parseFrom(ByteBufUtil.getBytes(in, in.readerIndex(), length, false)));
    }
    in.skipBytes(length);
  }
}
