// Home, files, "sign in first" and error pages.
import type { DriveFile } from '../types.js';
import { Layout, SignInLink, type Frame } from './layout.js';

export function HomePage(props: { frame: Frame; issuer: string }) {
  const { user } = props.frame;
  if (user === null) {
    return (
      <Layout title="Home" frame={props.frame}>
        <h1>Mine</h1>
        <p class="lead">Mine shows your calendar and your files, which live at another service. You never give Mine your password: you sign in at Latchkey, and choose what Mine may do.</p>
        <SignInLink />
      </Layout>
    );
  }
  return (
    <Layout title="Home" frame={props.frame}>
      <h1>{`Hello, ${user.name ?? user.email ?? 'there'}`}</h1>
      <p class="lead">Mine acts for you at the Calendar API with the access you gave it at Latchkey ({props.issuer}).</p>
      <ul class="items">
        <li>
          <a href="/calendar">Your calendar</a>
        </li>
        <li>
          <a href="/files">Your files</a>
        </li>
        <li>
          <a href="/access">Access</a>: what you allowed Mine to do, and how OAuth made it happen
        </li>
      </ul>
    </Layout>
  );
}

export function FilesPage(props: { frame: Frame; files: DriveFile[] | null }) {
  return (
    <Layout title="Your files" frame={props.frame}>
      <h1>Your files</h1>
      {props.files === null ? (
        <p class="notice">You did not allow Mine to see your files (the drive.read permission). Sign out and sign in again to choose differently.</p>
      ) : props.files.length === 0 ? (
        <p>Your drive is empty.</p>
      ) : (
        <ul class="items">
          {props.files.map((f) => (
            <li key={f.id}>
              {f.name} <span class="hint">({f.size} bytes)</span>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

export function SignInNeededPage(props: { frame: Frame; title: string; returnTo: string }) {
  return (
    <Layout title={props.title} frame={props.frame}>
      <h1>{props.title}</h1>
      <p>Mine is not connected to your Latchkey account. Sign in again to let Mine show this page.</p>
      <SignInLink returnTo={props.returnTo} />
    </Layout>
  );
}

export function ErrorPage(props: { frame: Frame; title: string; detail: string; next: { href: string; label: string } }) {
  return (
    <Layout title={props.title} frame={props.frame}>
      <h1>{props.title}</h1>
      <p>{props.detail}</p>
      <p>
        <a href={props.next.href}>{props.next.label}</a>
      </p>
    </Layout>
  );
}
