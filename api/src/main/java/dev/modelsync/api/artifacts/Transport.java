package dev.modelsync.api.artifacts;

import dev.modelsync.events.ModelSaved;
import dev.modelsync.events.ModelSaved.FileEntry;
import java.io.IOException;
import java.io.InputStream;

/**
 * How the {@link Downloader} gets a version's bytes: the agent over HTTP ({@link HttpTransport}) or
 * a bucket ({@link BucketTransport}). The downloader keeps everything else: the order, the hashing,
 * the checks, the retries and resuming. Blocking.
 */
interface Transport extends AutoCloseable {
  /** Whether this transport can fetch the version {@code saved} names. */
  boolean serves(ModelSaved saved);

  /**
   * Checked once before any file: the version is complete at the source. A transient failure is an
   * {@link IOException} (retried), one retrying cannot fix a {@link Downloader.Permanent}.
   */
  default void prepare(ModelSaved saved) throws IOException {}

  /**
   * The bytes of {@code file} from byte {@code from} to its end. A failure retrying cannot fix
   * (refused credentials) is a {@link Downloader.Permanent}.
   */
  InputStream open(ModelSaved saved, FileEntry file, long from) throws IOException;

  /** Where a file comes from, for log lines and errors. */
  String describe(ModelSaved saved, FileEntry file);

  /** Releases the client. */
  @Override
  default void close() {}
}
