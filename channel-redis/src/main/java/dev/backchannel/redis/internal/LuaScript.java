package dev.backchannel.redis.internal;

import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One of the store's Lua scripts (resources next to this class), with its SHA-1 for
 * {@code EVALSHA} and the type of its reply. Immutable, thread-safe.
 */
public enum LuaScript {
  CREATE("create.lua", ScriptOutputType.INTEGER),
  UPDATE("update.lua", ScriptOutputType.INTEGER),
  LOCK("lock.lua", ScriptOutputType.INTEGER),
  DELETE("delete.lua", ScriptOutputType.MULTI),
  APPEND("append.lua", ScriptOutputType.MULTI),
  REMOVE("remove.lua", ScriptOutputType.MULTI),
  TOUCH("touch.lua", ScriptOutputType.INTEGER),
  EXPIRE_MAILBOX("expire_mailbox.lua", ScriptOutputType.MULTI),
  PUT_INVITATION("put_invitation.lua", ScriptOutputType.INTEGER),
  EXPIRE_INVITATION("expire_invitation.lua", ScriptOutputType.MULTI);

  private final byte[] source;
  private final String sha;
  private final ScriptOutputType output;

  LuaScript(String resource, ScriptOutputType output) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + resource);
      }
      source = in.readAllBytes();
      sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    this.output = output;
  }

  /** The script's text (a copy). */
  public byte[] source() {
    return source.clone();
  }

  /** Lower-case hex SHA-1 of the text, as Redis names a cached script. */
  public String sha() {
    return sha;
  }

  /** The type of the script's reply. */
  public ScriptOutputType output() {
    return output;
  }
}
