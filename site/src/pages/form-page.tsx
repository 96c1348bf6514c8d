// A page that is one form: sign-up, login, profile, password, account deletion, the article editor.
import type { FormView } from '../forms.ts';
import { AuthForm } from './auth-form.tsx';
import { Layout } from './layout.tsx';

export interface FormPageProps {
  title: string;
  /** a sentence above the form (the warning before deleting an account) */
  intro?: string;
  form: FormView;
}

export function FormPage({ title, intro, form }: FormPageProps) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      {intro && <p class="intro">{intro}</p>}
      <AuthForm form={form} />
    </Layout>
  );
}
