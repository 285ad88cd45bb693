import type { afterLoadDocumentPayload, afterStoreDocumentPayload, afterUnloadDocumentPayload, beforeHandleMessagePayload, Extension, onChangePayload } from "@hocuspocus/server";
import * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import { refuse } from "./authentication";

/**
 * A room's document may not grow past a limit: once it has, editing
 * connections are closed with a clear reason (viewers, who cannot add to it,
 * stay). The size is a cheap running upper bound: the encoded document when
 * loaded or stored, plus every update since.
 */
export class DocumentSizeLimit implements Extension {
  extensionName = "document-size-limit";
  private readonly bytes = new Map<string, number>();

  constructor(private readonly maxBytes: number) {}

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    this.bytes.set(documentName, Y.encodeStateAsUpdate(document).byteLength);
  }

  async onChange({ documentName, update }: onChangePayload): Promise<void> {
    this.bytes.set(documentName, (this.bytes.get(documentName) ?? 0) + update.byteLength);
  }

  async afterStoreDocument({ document, documentName }: afterStoreDocumentPayload): Promise<void> {
    this.bytes.set(documentName, Y.encodeStateAsUpdate(document).byteLength);
  }

  async beforeHandleMessage({ documentName, connection }: beforeHandleMessagePayload): Promise<void> {
    if ((this.bytes.get(documentName) ?? 0) > this.maxBytes && !connection.readOnly) {
      connection.close(CLOSE.documentTooLarge);
      throw refuse(CLOSE.documentTooLarge.reason);
    }
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.bytes.delete(documentName);
  }
}
