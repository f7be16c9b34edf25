/**
 * Files this tab sent, by upload id, kept in memory only (they hold patients' data: never in storage): a rejected
 * row can then be opened in the dose form with its values, to fix and send again. A reload forgets them; the
 * form then starts from the row's findings alone.
 */
const held = new Map<string, File>();

export function holdFile(uploadId: string, file: File): void {
  held.set(uploadId, file);
}

export const heldFile = (uploadId: string): File | undefined => held.get(uploadId);
