import type { Session } from '../../store/index.ts';
import { Layout } from './layout.tsx';

export function LoginPage(props: { nonce: string; error?: string; username?: string; status?: number; notice?: string }) {
  return (
    <Layout title="Log in" nonce={props.nonce} session={null}>
      <form method="post" action="/login" class="login">
        <h1>Log in</h1>
        {props.error && <p class="error">{props.error}</p>}
        {props.notice && <p class="notice">{props.notice}</p>}
        <label>
          Username <input name="username" autocomplete="username" required value={props.username ?? ''} />
        </label>
        <label>
          Password <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Log in</button>
      </form>
    </Layout>
  );
}

export function ErrorPage(props: { nonce: string; session: Session | null; status: number; message: string }) {
  return (
    <Layout title={`Error ${props.status}`} nonce={props.nonce} session={props.session}>
      <h1>{props.status === 404 ? 'Not found' : props.status === 403 ? 'Refused' : props.status === 503 ? 'Not set up' : props.status >= 500 ? 'Something broke' : 'Cannot do that'}</h1>
      <p class="error">{props.message}</p>
      <p>
        <a href="/">Back to the queue</a>
      </p>
    </Layout>
  );
}
