import { Hono } from 'hono';
import { diffWords } from 'diff';
import { checkGrounding, claimsMissingFromQuote } from '../../draft/grounding.ts';
import { EditorialError } from '../../store/index.ts';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { editForm, parseForm } from '../forms.ts';
import { versionText } from '../version-text.ts';
import { ConflictPage } from '../views/story.tsx';
import { storyIdParam } from './shared.ts';

/**
 * "Save": an editor's edit becomes a new version of the one they opened. If that is no longer
 * current (another editor saved, or a re-draft landed), nothing is saved: HTTP 409 with both texts.
 */
export const edit = new Hono<DeskEnv>();

edit.post('/stories/:id/edit', async (c) => {
  const id = storyIdParam(c);
  const o = c.get('options');
  const { version, ...values } = parseForm(editForm, await c.req.parseBody());
  const article = await o.store.articles.get(id);
  // Quotes are checked against the article again: an edited quote is grounded only if it is there.
  const takeaways = values.takeaways.map((t) => {
    const grounded = article ? checkGrounding(t.quote, article.text) : false;
    // Supported as for a model's takeaway: the quote grounds and the text adds no number or name it lacks.
    return { ...t, grounded, supported: grounded && claimsMissingFromQuote(t.text, t.quote).length === 0 };
  });
  let saved;
  try {
    saved = await o.store.editorial.saveEdit(id, version, { ...values, takeaways }, c.get('session')!.user.name, o.now());
  } catch (err) {
    if (err instanceof EditorialError) throw new HttpError(404, err.message);
    throw err;
  }
  if (saved.ok) return c.redirect(`/stories/${id}?done=saved`, 303);
  const page = (
    <ConflictPage
      nonce={c.get('nonce')}
      session={c.get('session')!}
      storyId={id}
      yours={values}
      current={saved.current}
      changes={diffWords(versionText(saved.current.draft), versionText(values))}
      categories={o.categories}
    />
  );
  return c.html(page, 409);
});
