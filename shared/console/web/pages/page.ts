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
  /** Its label in the main navigation (shown to the roles above); omitted: not in the navigation. */
  nav?: string;
  /** One line for the home page's "What you can do" (with `nav`). */
  blurb?: string;
  /** Fills `main`; resolves when the page shows its data (the browser tests time it). */
  render(main: HTMLElement, ctx: PageContext): Promise<void>;
}

/** Every page by path (filled by main.ts from the audiences' registries): the home page lists them. */
export const ALL_PAGES: Record<string, Page> = {};

/** The pages a role may open that are in the navigation, in its order. */
export function pagesFor(role: string | undefined): [string, Page][] {
  return Object.entries(ALL_PAGES).filter(([, p]) => p.nav && role && p.roles?.includes(role as Role));
}
