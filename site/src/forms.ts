// Reading submitted fields safely, and describing a form for the shared AuthForm component.
import { usernameMaxLength } from 'tessera';

/**
 * What a browser may put in a username field: 150 characters, each up to two UTF-16 units (HTML's
 * maxlength counts units). The server counts characters (tessera's usernameProblem), one rule for
 * sign-up and login.
 */
export const usernameInputMaxLength = usernameMaxLength * 2;

/** The named field as a string: '' when missing, the first value when repeated, never an object. */
export function field(body: unknown, name: string, maxLength = 4096): string {
  if (typeof body !== 'object' || body === null) return '';
  const value: unknown = (body as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.slice(0, maxLength) : '';
}

/** A ticked checkbox sends a value; an unticked one sends nothing. */
export function checkbox(body: unknown, name: string): boolean {
  const value = field(body, name);
  return value !== '' && value !== 'off' && value !== '0' && value !== 'false';
}

export interface FieldView {
  name: string;
  type: 'text' | 'email' | 'password' | 'checkbox' | 'textarea';
  label: string;
  value: string;
  checked: boolean;
  errors: string[];
  help: string[];
  autocomplete: string;
  maxlength: number | null;
  required: boolean;
  autofocus: boolean;
  /** ids of the error list and help text, for aria-describedby */
  describedBy: string;
}

export type FieldSpec = Partial<Omit<FieldView, 'describedBy' | 'name' | 'label'>> & { name: string; label: string };

export function fieldView(spec: FieldSpec): FieldView {
  const errors = spec.errors ?? [];
  const help = spec.help ?? [];
  const describedBy = [errors.length > 0 ? `id_${spec.name}_error` : '', help.length > 0 ? `id_${spec.name}_help` : '']
    .filter(Boolean)
    .join(' ');
  return {
    type: 'text',
    value: '',
    checked: false,
    autocomplete: '',
    maxlength: null,
    required: false,
    autofocus: false,
    ...spec,
    errors,
    help,
    describedBy,
  };
}

export interface FormView {
  action: string;
  submit: string;
  fields: FieldView[];
  hidden: { name: string; value: string }[];
  /** errors that belong to no one field */
  errors: string[];
  links: { href: string; text: string }[];
  danger: boolean;
}

export function formView(spec: Partial<FormView> & { action: string; submit: string }): FormView {
  return { fields: [], hidden: [], errors: [], links: [], danger: false, ...spec };
}

/** Field errors by name; empty means the form is valid. */
export class FormErrors {
  readonly byField = new Map<string, string[]>();
  readonly general: string[] = [];

  add(name: string, message: string): void {
    this.byField.set(name, [...(this.byField.get(name) ?? []), message]);
  }

  for(name: string): string[] {
    return this.byField.get(name) ?? [];
  }

  get isEmpty(): boolean {
    return this.byField.size === 0 && this.general.length === 0;
  }
}
