package dev.modelsync.api.catalog;

/** An admin or repository request the catalog cannot carry out. */
public class CatalogException extends RuntimeException {
  /** Why: the HTTP layer maps each to a status code. */
  public enum Kind {
    UNKNOWN,
    CONFLICT,
    LOAD_FAILED
  }

  private final Kind kind;

  public CatalogException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
