/** Modal dialogs (the native <dialog>, which keeps focus inside and closes on Escape): open from a button, close with Cancel, give focus back to the button, and show a refusal inside. */
import { byId } from './dom';

export interface ModalDialog {
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  open(opener: HTMLElement, first?: HTMLElement): void;
  close(): void;
  /** Shows the server's sentence in the dialog's alert; '' clears it. */
  problem(text: string): void;
}

/** The dialog `#<id>-dialog` with its form `#<id>-form` and alert `#<id>-problem`. */
export function modalDialog(id: string): ModalDialog {
  const dialog = byId(`${id}-dialog`, HTMLDialogElement);
  const form = byId(`${id}-form`, HTMLFormElement);
  const alert = byId(`${id}-problem`, HTMLElement);
  let opener: HTMLElement | undefined;
  const problem = (text: string): void => {
    alert.textContent = text;
  };
  dialog.querySelectorAll<HTMLButtonElement>('[data-close]').forEach((button) => button.addEventListener('click', () => dialog.close()));
  dialog.addEventListener('close', () => {
    // The opener may have gone with a re-rendered list: focus the page's heading instead.
    if (opener?.isConnected === true) opener.focus();
    else document.querySelector<HTMLElement>('main')?.focus();
  });
  return {
    dialog,
    form,
    open(from, first) {
      opener = from;
      problem('');
      dialog.showModal();
      first?.focus();
    },
    close: () => dialog.close(),
    problem,
  };
}
