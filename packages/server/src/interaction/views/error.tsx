import { Layout } from './layout.js';

export function ErrorPage(props: { title: string; detail: string }) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      <p class="error" role="alert">
        {props.detail}
      </p>
    </Layout>
  );
}
