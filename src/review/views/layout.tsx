import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Session } from '../../store/index.ts';

/** The keys the desk answers to, listed by `?`. None acts while a field has focus. */
export const KEYS: [string, string][] = [
  ['j / k', 'next / previous story'],
  ['o', 'open the story'],
  ['a', 'approve'],
  ['r', 'reject (choose a reason)'],
  ['e', 'edit'],
  ['u', 'undo the approval or rejection just made'],
  ['?', 'show or hide these keys'],
  ['Esc', 'hide these keys'],
];

/**
 * The keyboard, as a few lines of nonce'd script. Every key only clicks or focuses an element
 * that works without it (marked data-key), so nothing depends on JavaScript. No key acts while
 * focus is in a field, before the page has loaded, or after a key has started to leave the page
 * (the next page's script takes over); so typing after `e` lands in the headline, never on a
 * button. A fragment naming a folded form (#edit) or a form (#reject) opens it and focuses its
 * first field (data-focus), whether the page was opened with it or a key asked for it.
 */
const KEYBOARD_SCRIPT = `(() => {
  const rows = [...document.querySelectorAll('[data-row]')];
  let at = 0;
  let leaving = false;
  const select = (n) => {
    if (!rows.length) return;
    rows[at].classList.remove('selected');
    at = Math.max(0, Math.min(rows.length - 1, n));
    rows[at].classList.add('selected');
    rows[at].scrollIntoView({ block: 'nearest' });
  };
  select(Math.max(0, rows.findIndex((r) => r.hasAttribute('data-selected'))));
  const reveal = (id) => {
    const target = id ? document.getElementById(id) : null;
    if (!target) return;
    if (target.tagName === 'DETAILS') target.open = true;
    const field = target.querySelector('[data-focus]');
    if (!field) return;
    field.focus();
    // Typing goes after the text, not before it.
    if (typeof field.setSelectionRange === 'function' && field.type !== 'date') field.setSelectionRange(field.value.length, field.value.length);
  };
  const fragment = () => decodeURIComponent(location.hash.slice(1));
  reveal(fragment());
  // Chromium's scroll to the fragment, once the page has loaded, takes focus away from a field
  // inside it: focus again after that, and answer keys only from then on.
  let ready = false;
  const settle = () => setTimeout(() => {
    reveal(fragment());
    ready = true;
    document.documentElement.setAttribute('data-keys', 'ready');
  }, 0);
  if (document.readyState === 'complete') settle();
  else window.addEventListener('load', settle);
  window.addEventListener('hashchange', () => reveal(fragment()));
  // A link to the fragment already in the address bar changes no hash: open its target all the same.
  document.addEventListener('click', (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[href^="#"]') : null;
    if (a) setTimeout(() => reveal(decodeURIComponent(a.getAttribute('href').slice(1))), 0);
  });
  for (const d of document.querySelectorAll('details[data-fold]')) {
    d.addEventListener('toggle', () => { if (d.open) reveal(d.id); });
  }
  for (const el of document.querySelectorAll('[data-seconds-left]')) {
    setTimeout(() => el.remove(), Number(el.getAttribute('data-seconds-left')) * 1000);
  }
  // Back from the browser's cache, the page is live again.
  window.addEventListener('pageshow', () => { leaving = false; });
  const keys = document.getElementById('keys');
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.key === 'Escape') {
      if (keys && !keys.hidden) { keys.hidden = true; e.preventDefault(); }
      return;
    }
    const t = e.target instanceof Element ? e.target : null;
    if (t && t.closest('input, textarea, select, button, [contenteditable]:not([contenteditable=false])')) return;
    if (leaving || !ready) return;
    const act = (key, scope) => {
      const el = scope.querySelector('[data-key="' + key + '"]');
      if (!el) return;
      const href = el.getAttribute('href') || '';
      if (href.startsWith('#')) {
        history.replaceState(null, '', href);
        reveal(href.slice(1));
        return;
      }
      leaving = true;
      el.click();
    };
    const row = rows.length ? rows[at] : document;
    if (e.key === 'j') select(at + 1);
    else if (e.key === 'k') select(at - 1);
    else if ('oare'.includes(e.key) && e.key.length === 1) act(e.key, row);
    else if (e.key === 'u') act('u', document);
    else if (e.key === '?' && keys) keys.hidden = !keys.hidden;
    else return;
    e.preventDefault();
  });
})();`;

/** What a page tells the editor after an action, and the decision it may still undo. */
export interface DeskNotice {
  text: string;
  undo?: { storyId: number; decisionId: number; secondsLeft: number; back: 'queue' | 'story' };
}

/**
 * The notice after an action, announced to screen readers (role="status"), with "Undo" (a POST
 * form, `u` by key) while the decision may still be undone; the script removes the button when
 * its time is up (the server checks the time either way).
 */
export function Notice(props: { notice: string | DeskNotice | undefined; session: Session }) {
  if (!props.notice) return null;
  const n = typeof props.notice === 'string' ? { text: props.notice } : props.notice;
  return (
    <div class="notice" role="status">
      {n.text}
      {n.undo && (
        <>
          {' '}
          <form method="post" action={`/stories/${n.undo.storyId}/undo`} class="inline" data-seconds-left={String(n.undo.secondsLeft)}>
            <Csrf session={props.session} />
            <input type="hidden" name="decision" value={String(n.undo.decisionId)} />
            <input type="hidden" name="back" value={n.undo.back} />
            <button type="submit" data-key="u">
              Undo
            </button>
          </form>
        </>
      )}
    </div>
  );
}

/** Every desk page: the header with who is logged in and "Log out", then the page. */
export function Layout(props: { title: string; nonce: string; session: Session | null; children: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title} · aiwins desk</title>
          <link rel="stylesheet" href="/static/desk.css" />
        </head>
        <body>
          <header class="top">
            <a class="brand" href="/">
              aiwins desk
            </a>
            {props.session && (
              <>
                <nav>
                  <a href="/">Queue</a> <a href="/issue">Issue</a>
                </nav>
                <span class="who">{props.session.user.name}</span>
                <form method="post" action="/logout" class="inline">
                  <input type="hidden" name="_csrf" value={props.session.csrfToken} />
                  <button type="submit">Log out</button>
                </form>
              </>
            )}
          </header>
          <main>{props.children}</main>
          {props.session && (
            <aside id="keys" hidden aria-labelledby="keys-title">
              <h2 id="keys-title">Keys</h2>
              <dl>
                {KEYS.map(([k, what]) => (
                  <>
                    <dt>{k}</dt>
                    <dd>{what}</dd>
                  </>
                ))}
              </dl>
            </aside>
          )}
          {props.session && <script nonce={props.nonce}>{raw(KEYBOARD_SCRIPT)}</script>}
        </body>
      </html>
    </>
  );
}

/** The hidden CSRF field every POST form carries. */
export function Csrf(props: { session: Session }) {
  return <input type="hidden" name="_csrf" value={props.session.csrfToken} />;
}

/** A link only when the URL is http(s); anything else (javascript:, data:) is shown as text. */
export function SafeLink(props: { href: string | null | undefined; children: Child }) {
  const href = safeHref(props.href);
  if (!href) return <span class="unsafe-link">{props.children}</span>;
  return (
    <a href={href} rel="noopener noreferrer nofollow" target="_blank">
      {props.children}
    </a>
  );
}

/** The URL when it is absolute http(s), else null. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
