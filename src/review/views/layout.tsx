import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Session } from '../../store/index.ts';

/** The keys the desk answers to, listed by `?`. */
export const KEYS: [string, string][] = [
  ['j / k', 'next / previous story'],
  ['o', 'open the story'],
  ['a', 'approve'],
  ['r', 'reject (choose a reason)'],
  ['e', 'edit'],
  ['?', 'show or hide these keys'],
];

/**
 * The keyboard, as a few lines of nonce'd script. Every key only clicks or focuses an element
 * that works without it (marked data-key), so nothing depends on JavaScript.
 */
const KEYBOARD_SCRIPT = `(() => {
  const rows = [...document.querySelectorAll('[data-row]')];
  let at = 0;
  const select = (n) => {
    if (!rows.length) return;
    rows[at].classList.remove('selected');
    at = Math.max(0, Math.min(rows.length - 1, n));
    rows[at].classList.add('selected');
    rows[at].scrollIntoView({ block: 'nearest' });
  };
  select(0);
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest('input, textarea, select, button')) return;
    const scope = rows.length ? rows[at] : document;
    const act = (key) => {
      const el = scope.querySelector('[data-key="' + key + '"]');
      if (!el) return;
      el.click();
      const field = document.querySelector((el.getAttribute('href') || '#none') + ' [data-focus]');
      if (field) field.focus();
    };
    if (e.key === 'j') select(at + 1);
    else if (e.key === 'k') select(at - 1);
    else if ('oare'.includes(e.key) && e.key.length === 1) act(e.key);
    else if (e.key === '?') document.getElementById('keys').toggleAttribute('hidden');
    else return;
    e.preventDefault();
  });
})();`;

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
            <aside id="keys" hidden>
              <h2>Keys</h2>
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
