import { notFound } from "next/navigation";
import { isApiError } from "../../http/errors";

/** For pages: a 404 (or 403) from an access check becomes the app's not-found page, as for something that does not exist. */
export async function orNotFound<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (err) {
    if (isApiError(err) && (err.status === 404 || err.status === 403)) notFound();
    throw err;
  }
}
