// The one form every accounts page (and the article editor) uses: each error is linked to its field
// for screen readers, and the summary above is announced.
import type { FieldView, FormView } from '../forms.ts';
import { CsrfInput } from './csrf-input.tsx';

export interface AuthFormProps {
  form: FormView;
}

export function AuthForm({ form }: AuthFormProps) {
  const hasErrors = form.errors.length > 0;
  return (
    <>
      <form
        method="post"
        action={form.action}
        class={form.danger ? 'auth-form danger' : 'auth-form'}
        novalidate
        aria-describedby={hasErrors ? 'form-errors' : undefined}
      >
        <CsrfInput />
        {form.hidden.map((hidden) => (
          <input type="hidden" name={hidden.name} value={hidden.value} />
        ))}
        {hasErrors && (
          <div class="errors" id="form-errors" role="alert">
            {/* One message is a sentence, not a bulleted list of one. */}
            {form.errors.length === 1 ? (
              <p>{form.errors[0]}</p>
            ) : (
              <ul>
                {form.errors.map((error) => (
                  <li>{error}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {form.fields.map((field) => (
          <Field field={field} />
        ))}
        <div class="form-actions">
          <button type="submit" class={form.danger ? 'button button-danger' : 'button button-primary'}>
            {form.submit}
          </button>
          {/* A confirmation's way out ("Keep my account") sits beside its button. */}
          {form.danger &&
            form.links.map((link) => (
              <a class="button" href={link.href}>
                {link.text}
              </a>
            ))}
        </div>
      </form>
      {!form.danger && form.links.length > 0 && (
        <div class="form-links">
          {form.links.map((link) => (
            <p>
              <a href={link.href}>{link.text}</a>
            </p>
          ))}
        </div>
      )}
    </>
  );
}

function Field({ field }: { field: FieldView }) {
  const id = `id_${field.name}`;
  const invalid = field.errors.length > 0;
  const describedBy = field.describedBy === '' ? undefined : field.describedBy;
  return (
    <div class={invalid ? 'field has-error' : 'field'}>
      {field.type === 'checkbox' ? (
        <>
          <input type="checkbox" id={id} name={field.name} value="on" checked={field.checked} aria-describedby={describedBy} />
          <label for={id}>{field.label}</label>
        </>
      ) : field.type === 'textarea' ? (
        <>
          <label for={id}>{field.label}</label>
          <textarea
            id={id}
            name={field.name}
            rows={12}
            maxlength={field.maxlength ?? undefined}
            required={field.required}
            aria-invalid={invalid ? 'true' : undefined}
            aria-describedby={describedBy}
          >
            {/* The parser drops one line feed after <textarea>: give it one, so a value that opens
                with a line break keeps it (as Django does). */}
            {`\n${field.value}`}
          </textarea>
        </>
      ) : (
        <>
          <label for={id}>{field.label}</label>
          <Input id={id} field={field} invalid={invalid} describedBy={describedBy} />
        </>
      )}
      {invalid && (
        <ul class="errorlist" id={`${id}_error`}>
          {field.errors.map((error) => (
            <li>{error}</li>
          ))}
        </ul>
      )}
      {field.help.length > 0 && (
        <div class="help" id={`${id}_help`}>
          {field.help.map((help) => (
            <p>{help}</p>
          ))}
        </div>
      )}
    </div>
  );
}

/** A one-line input; each type written out, as preact's types tie an input's attributes to its type. */
function Input({ id, field, invalid, describedBy }: { id: string; field: FieldView; invalid: boolean; describedBy: string | undefined }) {
  const rest = {
    autocomplete: field.autocomplete === '' ? undefined : field.autocomplete,
    maxlength: field.maxlength ?? undefined,
    required: field.required,
    autofocus: field.autofocus,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
  };
  // A password is never sent back to the browser, typed or not.
  if (field.type === 'password') return <input type="password" id={id} name={field.name} {...rest} />;
  if (field.type === 'email') return <input type="email" id={id} name={field.name} value={field.value} {...rest} />;
  return <input type="text" id={id} name={field.name} value={field.value} {...rest} />;
}
