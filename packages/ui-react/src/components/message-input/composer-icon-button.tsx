import { type ButtonHTMLAttributes, forwardRef, type ReactNode } from 'react';

export interface ComposerIconButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** Its name (the icon says nothing to a screen reader). */
  'aria-label': string;
  /** The icon's shapes, drawn in a 24×24 box with the current text colour. */
  icon: ReactNode;
}

/** A button of the composer's row (attach, emoji): a 20 px line icon, named by its label. */
export const ComposerIconButton = forwardRef<HTMLButtonElement, ComposerIconButtonProps>(
  function ComposerIconButton({ icon, className, ...button }, ref) {
    return (
      <button ref={ref} type="button" className={`chat-icon-button ${className}`} {...button}>
        <svg
          aria-hidden="true"
          width="20"
          height="20"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
        >
          {icon}
        </svg>
      </button>
    );
  },
);
