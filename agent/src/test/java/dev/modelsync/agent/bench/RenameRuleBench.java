package dev.modelsync.agent.bench;

import dev.modelsync.agent.watch.Observer;
import dev.modelsync.agent.watch.SaveUnit;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How often a file that is being appended to looks "renamed into place" (ctime later than mtime),
 * the completion rule the poll mode uses for a rename: a writer appends bursts of 35 8 KiB writes
 * (Files.write's pieces of one 280 KiB chunk) with 1 ms between bursts, while this thread observes
 * the file as the agent does, for {@code seconds} (default 5). Prints the observations, how many
 * {@link Observer} took for renamed, and how many the earlier rule would have (mtime read, then
 * ctime in a second read), counted on the same file in the same run. None of them is a rename.
 */
public final class RenameRuleBench {
  private RenameRuleBench() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
    Path dir = Files.createTempDirectory("rename-rule");
    Path file = dir.resolve("crash.onnx");
    Files.write(file, new byte[8192]);
    SaveUnit unit = new SaveUnit("crash", 0, file, "crash.onnx");
    Observer observer = new Observer(dir, p -> {});
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer =
        new Thread(
            () -> {
              byte[] piece = new byte[8192];
              try {
                while (!stop.get()) {
                  for (int i = 0; i < 35; i++) {
                    Files.write(file, piece, StandardOpenOption.APPEND);
                  }
                  Thread.sleep(1);
                  if (Files.size(file) > 64 << 20) {
                    Files.write(file, piece);
                  }
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    writer.start();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long observations = 0;
    long observer2 = 0;
    long twoReads = 0;
    while (System.nanoTime() < end) {
      observations++;
      if (observer.observe(unit).renamedIn()) {
        observer2++;
      }
      FileTime mtime = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
      Object ctime = Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
      if (((FileTime) ctime).compareTo(mtime) > 0) {
        twoReads++;
      }
    }
    stop.set(true);
    writer.join();
    System.out.printf(
        "observations %d of a file being appended to; taken for renamed: Observer %d, mtime then"
            + " ctime in two reads %d%n",
        observations, observer2, twoReads);
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }
}
