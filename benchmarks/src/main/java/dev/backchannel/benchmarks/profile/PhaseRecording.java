package dev.backchannel.benchmarks.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * A flight recording of one measured phase of a load generator, with the JDK's "profile"
 * settings, written to {@code DIR/NAME.jfr} when the phase ends: CPU and allocation profiles of
 * one phase at a time, without the warm-up or the other phases.
 */
public final class PhaseRecording implements AutoCloseable {
  private final Recording recording;
  private final Path file;

  private PhaseRecording(Recording recording, Path file) {
    this.recording = recording;
    this.file = file;
  }

  /**
   * Starts recording phase {@code name} into {@code dir}, or does nothing if {@code dir} is null.
   *
   * @throws IOException if {@code dir} cannot be made or the settings cannot be read
   */
  public static PhaseRecording start(Path dir, String name) throws IOException {
    if (dir == null) {
      return new PhaseRecording(null, null);
    }
    Files.createDirectories(dir);
    try {
      Recording r = new Recording(Configuration.getConfiguration("profile"));
      r.start();
      return new PhaseRecording(r, dir.resolve(name + ".jfr"));
    } catch (ParseException e) {
      throw new IOException("the JDK's profile settings cannot be read", e);
    }
  }

  /** Stops and writes the recording (once). */
  @Override
  public void close() throws IOException {
    if (recording != null && recording.getState() == jdk.jfr.RecordingState.RUNNING) {
      recording.stop();
      recording.dump(file);
      recording.close();
    }
  }
}
