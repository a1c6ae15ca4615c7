// A labelled form control with its error beside it: the label names the control, the error is tied to it with
// aria-describedby and marks it aria-invalid, so a screen reader reads the problem with the field.
import type { ComponentChildren } from 'preact';

let seq = 0;
export const uid = (prefix: string) => `${prefix}-${++seq}`;

export function Field(props: { id: string; label: string; error?: string | null; hint?: string; children: ComponentChildren }) {
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <p class="hint" id={`${props.id}-hint`}>{props.hint}</p>}
      {props.error && <p class="field-error" id={`${props.id}-error`}>{props.error}</p>}
    </div>
  );
}

/** The aria attributes a control inside <Field> carries. */
export function described(id: string, error?: string | null, hint?: boolean) {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined };
}

/** An error for the whole form, shown where the person is looking and announced (role=alert). */
export function FormError(props: { text: string | null }) {
  return props.text ? <p class="form-error" role="alert">{props.text}</p> : null;
}
