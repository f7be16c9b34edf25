/**
 * Findings beside their fields (WCAG 3.3.1): each field with a finding is marked `aria-invalid` (errors) and
 * described by its message; a summary at the top, in `role=alert`, links to each field. Findings on a field the
 * form does not have (the body, the site's enrollment) stay in the summary.
 */
import './field-findings.css';
import type { Issue } from './api.ts';
import { h } from './dom.ts';

const MESSAGE_CLASS = 'field-finding';

/** Clears earlier marks, then marks `issues` on `form`'s fields; answers the summary element (or nothing). */
export function showFindings(
  form: HTMLFormElement,
  issues: readonly Issue[],
  heading: string,
): HTMLElement | undefined {
  for (const el of form.querySelectorAll(`.${MESSAGE_CLASS}`)) el.remove();
  for (const input of form.querySelectorAll<HTMLElement>('[aria-invalid], .is-invalid, .is-warned')) {
    input.removeAttribute('aria-invalid');
    input.classList.remove('is-invalid', 'is-warned');
    const hint = input.dataset.hintId;
    if (hint) input.setAttribute('aria-describedby', hint);
    else input.removeAttribute('aria-describedby');
  }
  if (!issues.length) return undefined;
  const items: HTMLElement[] = [];
  issues.forEach((issue, i) => {
    const input = issue.field ? form.elements.namedItem(issue.field) : null;
    const text = `${issue.code}${issue.severity ? ` (${issue.severity})` : ''}: ${issue.message}`;
    if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement) {
      // Named after the field: a page with two forms (Stock) must not repeat an id between them.
      const id = `${input.id || input.name}-finding-${i}`;
      const isError = issue.severity !== 'warning' && issue.severity !== 'info';
      input.after(
        h('p', { id, class: `${MESSAGE_CLASS} ${isError ? 'text-danger' : 'text-warning-dark'}` }, text),
      );
      if (isError) input.setAttribute('aria-invalid', 'true');
      input.classList.add(isError ? 'is-invalid' : 'is-warned');
      input.setAttribute(
        'aria-describedby',
        [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '),
      );
      items.push(h('li', {}, h('a', { href: `#${input.id}` }, labelOf(input)), `: ${text}`));
    } else items.push(h('li', {}, issue.field ? `${issue.field}: ${text}` : text));
  });
  return h(
    'div',
    { class: 'alert alert-danger findings-summary', role: 'alert', tabindex: -1 },
    h('p', { class: 'm-0 fw-bold' }, heading),
    h('ul', { class: 'mb-0' }, ...items),
  );
}

function labelOf(input: HTMLElement): string {
  return input.id ? (document.querySelector(`label[for="${input.id}"]`)?.textContent ?? input.id) : '';
}
