package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code peer --admission-secret-file}: the CLI's way onto a relay that requires an admission secret. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PeerAdmissionCliIntegrationTest {
  @TempDir Path dir;

  @Test
  void withoutTheSecretNothingIsCreatedWithItTheContactsTalk() throws Exception {
    Path secret = dir.resolve("admission-secret");
    Files.writeString(secret, "a-relay-admission-secret-of-32-b\n", StandardCharsets.US_ASCII);
    Path wrong = dir.resolve("wrong-secret");
    Files.writeString(wrong, "not-the-relay-admission-secret!!\n", StandardCharsets.US_ASCII);
    Path tooShort = dir.resolve("bad-length");
    Files.writeString(tooShort, "tiny5\n", StandardCharsets.US_ASCII);
    try (CliHarness cli = new CliHarness(dir)) {
      String relay = cli.startRelay("--admission-secret-file", secret.toString());

      CliHarness.Run refused = cli.peer("ann", "invite", "--relay", relay, "--label", "bo");
      assertThat(refused.exit()).as(refused.err()).isEqualTo(ExitCodes.RELAY);
      assertThat(refused.errorLine()).startsWith("error: ").contains("admission");
      CliHarness.Run wrongSecret = cli.peer("ann", "--admission-secret-file", wrong.toString(),
          "invite", "--relay", relay, "--label", "bo");
      assertThat(wrongSecret.exit()).as(wrongSecret.err()).isEqualTo(ExitCodes.RELAY);
      assertThat(wrongSecret.errorLine()).contains("admission");
      CliHarness.Run badFile = cli.peer("ann", "--admission-secret-file", tooShort.toString(),
          "invite", "--relay", relay, "--label", "bo");
      assertThat(badFile.exit()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(badFile.errorLine()).contains("16..64 bytes").doesNotContain("tiny5");
      CliHarness.Run missing = cli.peer("ann", "--admission-secret-file", dir.resolve("nope").toString(),
          "invite", "--relay", relay, "--label", "bo");
      assertThat(missing.exit()).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(missing.errorLine()).contains("cannot read the admission secret file");

      String code = cli.ok("ann", "--admission-secret-file", secret.toString(),
          "invite", "--relay", relay, "--label", "bo").out().strip().substring("invitation: ".length());
      cli.ok("bo", "--admission-secret-file", secret.toString(), "accept", code, "--name", "ann");
      cli.ok("bo", "--admission-secret-file", secret.toString(), "send", "ann", "admitted");
      assertThat(cli.ok("ann", "--admission-secret-file", secret.toString(),
          "receive", "--count", "1", "--timeout", "30").out()).contains("bo: admitted");
    }
  }
}
