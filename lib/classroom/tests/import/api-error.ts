import { ApiError } from "../../../http/errors";
import { ImportError } from "./errors";

/** An importer's refusal as the API's answer (each code with its status, as catalogued). */
export function importApiError(err: unknown): unknown {
  if (!(err instanceof ImportError)) return err;
  switch (err.code) {
    case "zip_too_large":
      return new ApiError(413, "zip_too_large", err.message);
    case "zip_too_many_entries":
      return new ApiError(413, "zip_too_many_entries", err.message);
    case "zip_unsafe_path":
      return new ApiError(400, "zip_unsafe_path", err.message);
    case "invalid_zip":
      return new ApiError(400, "invalid_zip", err.message);
    case "import_format_unknown":
      return new ApiError(400, "import_format_unknown", err.message);
    case "invalid_test_file":
      return new ApiError(400, "invalid_test_file", err.message);
  }
}
