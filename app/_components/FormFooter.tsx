/** The end of every account form: the error (announced to screen readers) and the submit button with its busy label. */
export function FormFooter(props: { error?: string; busy: boolean; label: string; busyLabel: string }) {
  return (
    <>
      {props.error && (
        <p className="error" role="alert" data-testid="form-error">
          {props.error}
        </p>
      )}
      <button type="submit" disabled={props.busy}>
        {props.busy ? props.busyLabel : props.label}
      </button>
    </>
  );
}
