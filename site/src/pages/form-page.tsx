// A page that is one form: sign-up, login, profile, password, account deletion, the article editor.
import type { FormView } from '../forms.ts';
import { AuthForm } from './auth-form.tsx';
import { CsrfInput } from './csrf-input.tsx';
import { Layout } from './layout.tsx';

/** A side note with a one-button form of its own: "not verified yet · Send the link again". */
export interface SideAction {
  text: string;
  action: string;
  submit: string;
}

export interface FormPageProps {
  title: string;
  /** a sentence above the form (the warning before deleting an account) */
  intro?: string;
  /** a note above the form with its own button, posted apart from the form */
  side?: SideAction;
  form: FormView;
}

export function FormPage({ title, intro, side, form }: FormPageProps) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      {intro && <p class="intro">{intro}</p>}
      {side && (
        <form method="post" action={side.action} class="side-action">
          <CsrfInput />
          <p role="status">{side.text}</p>
          <button type="submit" class="button button-small">
            {side.submit}
          </button>
        </form>
      )}
      <AuthForm form={form} />
    </Layout>
  );
}
