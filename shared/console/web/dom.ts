/** A small element builder: text is always set as text (never parsed as HTML). */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** A notice in the State Template's alert style; `role=alert` for errors (announced), status otherwise. */
export function notice(kind: 'info' | 'warning' | 'danger' | 'success', ...children: Child[]): HTMLElement {
  return h(
    'div',
    { class: `alert alert-${kind}`, role: kind === 'danger' ? 'alert' : 'status' },
    h('p', { class: 'm-0' }, ...children),
  );
}

/** A table with a caption and column headers; `rowHeader`: the first cell of each row heads it. */
export function table(caption: string, head: string[], rows: Child[][], rowHeader = true): HTMLElement {
  return h(
    'div',
    { class: 'table-responsive' },
    h(
      'table',
      { class: 'table table-striped' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            {},
            ...r.map((c, i) => (i === 0 && rowHeader ? h('th', { scope: 'row' }, c) : h('td', {}, c))),
          ),
        ),
      ),
    ),
  );
}

/** A description list of label → value pairs. */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}
