/**
 * The console's entry: one HTML shell (State Template header and footer), pages drawn into `<main>` by path,
 * links followed without reloading (history), the heading focused after each navigation, and the page marked
 * ready (`main[data-ready]`) once it shows its data.
 */
import './console.css';
import { SessionEnded } from './api.ts';
import { completeSignIn, freshSession, SignInError, sessionEnded, signIn, signOut } from './auth.ts';
import { h, notice } from './dom.ts';
import { PROGRAM_PAGES } from './pages/for-program.ts';
import { SITE_PAGES } from './pages/for-sites.ts';
import { home } from './pages/home.ts';
import { ALL_PAGES, type Page, pagesFor } from './pages/page.ts';
import { readSession, roleLabel, setFlash } from './session.ts';

const SITE_NAME = 'Dose pipeline console';
ALL_PAGES['/'] = home;
Object.assign(ALL_PAGES, SITE_PAGES, PROGRAM_PAGES);
const pages = ALL_PAGES;

const notFound: Page = {
  title: 'Page not found',
  async render(main) {
    main.append(
      h('h1', { tabindex: -1 }, 'Page not found'),
      h('p', {}, 'There is no such page in the console. ', h('a', { href: '/' }, 'Go to the home page'), '.'),
    );
  },
};

const notAllowed = (page: Page): Page => ({
  title: page.title,
  async render(main) {
    main.append(
      h('h1', { tabindex: -1 }, page.title),
      notice('warning', 'Your sign-in does not give access to this page.'),
      h('p', {}, h('a', { href: '/' }, 'Go to the home page'), '.'),
    );
  },
});

/** The navigation and the sign-in/out control of the header, for who is signed in. */
function drawHeader(): void {
  const session = readSession();
  const role = session?.claims.dp_role;
  const nav = document.getElementById('nav_list');
  const here = location.pathname;
  if (nav) {
    const items: [string, string][] = [['/', 'Home']];
    for (const [path, page] of pagesFor(role)) items.push([path, page.nav!]);
    nav.replaceChildren(
      ...items.map(([href, label]) =>
        h(
          'li',
          { class: `nav-item${href === here ? ' active' : ''}` },
          h(
            'a',
            { href, class: 'first-level-link', 'aria-current': href === here ? 'page' : undefined },
            label,
          ),
        ),
      ),
    );
  }
  const account = document.getElementById('account');
  if (account)
    account.replaceChildren(
      ...(session
        ? [
            h(
              'span',
              { class: 'account-who' },
              `${session.claims.preferred_username ?? session.claims.sub} · ${roleLabel(session.claims)}`,
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-light btn-sm',
                id: 'sign-out',
                onclick: () => void signOut(),
              },
              'Sign out',
            ),
          ]
        : [
            h(
              'button',
              {
                type: 'button',
                class: 'btn btn-light btn-sm',
                onclick: () => void signIn(location.pathname + location.search),
              },
              'Sign in',
            ),
          ]),
    );
}

let rendering = 0;

async function show(focus: boolean): Promise<void> {
  const main = document.getElementById('body-content') as HTMLElement;
  const turn = ++rendering;
  main.removeAttribute('data-ready');
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren();

  if (location.pathname === '/callback') {
    document.title = `Signing in · ${SITE_NAME}`;
    main.append(h('h1', { tabindex: -1 }, 'Signing in…'));
    try {
      const next = await completeSignIn(new URLSearchParams(location.search));
      history.replaceState(null, '', next);
    } catch (err) {
      setFlash(
        err instanceof SignInError ? err.message : 'The sign-in could not be completed: sign in again.',
      );
      history.replaceState(null, '', '/');
    }
    return show(true);
  }

  const had = readSession();
  // An access token about to expire is renewed with the refresh token; the session ends when it cannot be.
  const session = had ? await freshSession() : undefined;
  let ended = false;
  if (had && !session) {
    sessionEnded('Your sign-in has expired: sign in again to continue.');
    ended = true;
  }
  if (turn !== rendering) return;
  const found = pages[location.pathname];
  let page = found ?? notFound;
  if (found?.roles && !session) {
    if (!ended) setFlash(`Sign in to see “${found.title}”.`);
    history.replaceState(null, '', '/');
    return show(focus);
  }
  if (found?.roles && session && !found.roles.includes(session.claims.dp_role as never))
    page = notAllowed(found);
  drawHeader();
  document.title = page === home ? SITE_NAME : `${page.title} · ${SITE_NAME}`;
  const ctx = { session, query: new URLSearchParams(location.search), navigate };
  try {
    await page.render(main, ctx);
  } catch (err) {
    if (err instanceof SessionEnded) {
      // The token expired or was refused: back to the home page, which says so and offers the sign-in.
      history.replaceState(null, '', '/');
      return show(true);
    }
    main.append(notice('danger', `Something went wrong: ${(err as Error).message}`));
  }
  if (turn !== rendering) return;
  main.setAttribute('aria-busy', 'false');
  main.setAttribute('data-ready', location.pathname);
  if (focus) main.querySelector<HTMLElement>('h1')?.focus();
}

export function navigate(path: string): void {
  history.pushState(null, '', path);
  void show(true);
}

document.addEventListener('click', (e) => {
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || a.target || a.hasAttribute('download')) return;
  if (url.hash && url.pathname === location.pathname) return;
  if (url.pathname === '/callback' || /\.[a-z0-9]+$/i.test(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => void show(true));
void show(false);
