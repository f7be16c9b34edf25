import { signIn } from '../auth.ts';
import { facts, h, notice } from '../dom.ts';
import { roleLabel, sitesOf, takeFlash } from '../session.ts';
import { type Page, pagesFor } from './page.ts';

/** Who is signed in (role, sites, access) and where to go; or a sign-in button. */
export const home: Page = {
  title: 'Dose pipeline console',
  async render(main, { session }) {
    const flash = takeFlash();
    main.append(h('h1', { tabindex: -1 }, 'Dose pipeline console'));
    if (flash) main.append(notice('warning', flash));
    if (!session) {
      main.append(
        h(
          'p',
          {},
          'Report and follow COVID-19 vaccinations given in California. Sign in with your account to see your site’s doses or the statewide figures.',
        ),
        h(
          'button',
          { type: 'button', class: 'btn btn-primary', id: 'sign-in', onclick: () => void signIn('/') },
          'Sign in',
        ),
      );
      return;
    }
    const c = session.claims;
    const sites = sitesOf(c);
    main.append(
      h('h2', {}, 'Signed in'),
      facts([
        ['Name', c.name ?? c.preferred_username ?? c.sub],
        ['Username', c.preferred_username ?? c.sub],
        ['Role', roleLabel(c)],
        ...(sites.length
          ? ([[sites.length > 1 ? 'Sites' : 'Site', sites.join(', ')]] as [string, string][])
          : []),
        ['Signed in until', new Date(session.expiresAt).toLocaleString('en-US')],
      ]),
      h('h2', {}, 'What you can do'),
      h(
        'ul',
        {},
        ...pagesFor(c.dp_role).map(([path, page]) =>
          h('li', {}, h('a', { href: path }, page.nav!), page.blurb ? `: ${page.blurb}` : ''),
        ),
      ),
    );
  },
};
