package dev.backchannel.examples.cli;

/**
 * Where a {@code peer} command's {@link CliEvent}s go: the text form ({@link TextOutput}) or one
 * JSON object per line ({@link JsonOutput}, {@code peer --json}). Each event is written whole and
 * flushed at once, so a script reading the stream sees it without waiting for the command to end.
 *
 * <p>Implementations are thread-safe: listeners on the peer's callback executor may emit while
 * the command's own thread does.
 */
interface Output {
  /** Writes {@code event}, whole, and flushes. */
  void emit(CliEvent event);
}
