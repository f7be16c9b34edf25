import type { Session } from '../session.ts';

export type Role = 'site' | 'program' | 'admin';

export interface PageContext {
  session: Session | undefined;
  query: URLSearchParams;
  /** Shows another console page (history entry, focus on its heading). */
  navigate(path: string): void;
}

export interface Page {
  /** The page's heading and the first part of its title. */
  title: string;
  /** Who may open it (a signed-in person with one of these roles); omitted: anyone. */
  roles?: Role[];
  /** Fills `main`; resolves when the page shows its data (the browser tests time it). */
  render(main: HTMLElement, ctx: PageContext): Promise<void>;
}
