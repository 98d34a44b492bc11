package dev.modelsync.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The bearer token that guards the agent's {@code GET /artifacts/...} ({@code
 * MODELSYNC_ARTIFACT_TOKEN}): the agent requires it, api replicas send it. Like {@link
 * dev.modelsync.events.EventKey} it has no flag and a redacted {@link #toString()}, so it shows
 * neither in a process list nor a log.
 */
public final class ArtifactToken {
  /** Shorter tokens are refused. */
  public static final int MIN_LENGTH = 16;

  public static final Option OPTION =
      Option.optional(
              "MODELSYNC_ARTIFACT_TOKEN",
              null,
              null,
              "bearer token (at least "
                  + MIN_LENGTH
                  + " characters) for the agent's GET /artifacts; unset = no token")
          .hidden();

  private final String token;

  private ArtifactToken(String token) {
    this.token = token;
  }

  /**
   * The token from its text.
   *
   * @throws ConfigException naming {@code MODELSYNC_ARTIFACT_TOKEN} if it is too short or not
   *     printable ASCII; the message never contains the value
   */
  public static ArtifactToken of(String token) {
    if (token == null || token.length() < MIN_LENGTH) {
      throw new ConfigException(
          OPTION.label()
              + " must be at least "
              + MIN_LENGTH
              + " characters, got "
              + (token == null ? 0 : token.length()));
    }
    if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new ConfigException(OPTION.label() + " must be printable ASCII without spaces");
    }
    return new ArtifactToken(token);
  }

  /** The token if {@code MODELSYNC_ARTIFACT_TOKEN} is set. */
  public static Optional<ArtifactToken> from(Settings settings) {
    return Optional.ofNullable(settings.optionalString(OPTION)).map(ArtifactToken::of);
  }

  /** The value of an {@code Authorization} header carrying this token. */
  public String authorization() {
    return "Bearer " + token;
  }

  /** Whether an {@code Authorization} header carries this token (constant-time comparison). */
  public boolean accepts(String authorization) {
    return authorization != null
        && MessageDigest.isEqual(
            authorization().getBytes(StandardCharsets.UTF_8),
            authorization.trim().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ArtifactToken other && accepts(other.authorization());
  }

  @Override
  public int hashCode() {
    return token.hashCode();
  }

  @Override
  public String toString() {
    return "ArtifactToken[redacted]";
  }
}
