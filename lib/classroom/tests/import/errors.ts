/**
 * Why an upload cannot be imported, with a code the API answers with
 * (lib/http/error-codes.ts). The importers are pure (no HTTP), so they throw
 * this and the route turns it into an ApiError.
 */
export type ImportErrorCode = "invalid_zip" | "zip_too_large" | "zip_too_many_entries" | "zip_unsafe_path" | "import_format_unknown" | "invalid_test_file";

export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ImportError";
  }
}

/** One thing of an imported test (or of the whole file when `test` is absent) that could not be carried over as it was. */
export interface ImportWarning {
  test?: string;
  message: string;
}
