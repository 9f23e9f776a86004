import { ConflictError, type LocalMessage } from '@chat/core';
import { moderationOf, type ReportBody } from '@chat/core/moderation';
import { useChat, useStore } from '@chat/react';
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { blockedAuthorsOf } from '../../context/blocked-authors';
import { useActiveChannel } from '../../context/channel-context';
import { useStrings } from '../../context/ui-context';
import { useModerationRole } from '../../hooks/use-moderation-role';
import { loadModerationStrings } from '../../i18n/moderation-strings';
import { displayName, timeOfDay } from '../../text/format';
import { MenuItem } from '../message-actions';
import type { ModerationMenuItemsProps } from './lazy-moderation';
import { Modal, type Request, reasonOf, useRequest } from './modal';

// This part's strings come with its code.
loadModerationStrings();

/** A safety or moderation item of the message menu. */
export type ModerationKind = 'report' | 'block' | 'unblock' | 'pin' | 'unpin' | 'delete' | 'ban' | 'timeout';

export interface MessageModerationProps {
  kind: ModerationKind;
  message: LocalMessage;
  /** Closes the dialog (done, cancelled, or after a failure was read). */
  onClose(): void;
}

type ReportReason = ReportBody['reason'];
/** The protocol's `REPORT_REASONS`, in its order (checked below: a new reason fails the build). */
const REASONS = ['spam', 'harassment', 'hate', 'sexual', 'violence', 'other'] as const;
const _everyReason: Exclude<ReportReason, (typeof REASONS)[number]> extends never ? true : never = true;
/** The protocol's limits (`MODERATION_LIMITS`), without its validators. */
const NOTE_MAX = 1000;
const REASON_MAX = 500;

/** The dialog of one message menu item: report, block or unblock, pin, delete, ban, time out. */
export function MessageModeration({ kind, message, onClose }: MessageModerationProps) {
  if (kind === 'report') return <ReportDialog message={message} onClose={onClose} />;
  if (kind === 'block' || kind === 'unblock')
    return <BlockDialog message={message} unblock={kind === 'unblock'} onClose={onClose} />;
  if (kind === 'pin' || kind === 'unpin')
    return <PinAction message={message} unpin={kind === 'unpin'} onClose={onClose} />;
  if (kind === 'delete') return <DeleteDialog message={message} onClose={onClose} />;
  return <PenaltyDialog message={message} appWide={kind === 'timeout'} onClose={onClose} />;
}

/**
 * The menu's safety items (others' messages: report, block or unblock the author) and the
 * moderator items of those who may use them (pin or unpin; others' messages: delete, ban from
 * the channel, and for app admins time out). Each opens its dialog.
 */
export function ModerationMenuItems({ message, isOwn, onPick }: ModerationMenuItemsProps) {
  const t = useStrings();
  const { client } = useChat();
  const { moderator, appAdmin } = useModerationRole(useActiveChannel('MessageActions'));
  const blocked = useStore(blockedAuthorsOf(client)).has(message.user_id);
  const item = (kind: ModerationKind, label: string, danger?: boolean) => (
    <MenuItem key={kind} label={label} danger={danger} onClick={() => onPick(kind)} />
  );
  const name = displayName(message.user);
  return [
    moderator && (message.pinned ? item('unpin', t('message.unpin')) : item('pin', t('message.pin'))),
    !isOwn && item('report', t('message.report')),
    !isOwn &&
      (blocked
        ? item('unblock', t('message.unblock', { name }))
        : item('block', t('message.block', { name }))),
    !isOwn && moderator && item('delete', t('message.delete'), true),
    !isOwn && moderator && item('ban', t('message.ban'), true),
    !isOwn && appAdmin && item('timeout', t('message.timeOut'), true),
  ];
}

/** A radio group (a fieldset with its legend). */
function Choices<T extends string | number>({
  legend,
  options,
  value,
  onChange,
}: {
  legend: string;
  options: readonly (readonly [T, string])[];
  value: T | null;
  onChange(value: T): void;
}) {
  const name = useId();
  return (
    <fieldset className="chat-modal__choices">
      <legend className="chat-modal__legend">{legend}</legend>
      {options.map(([option, label]) => (
        <label key={String(option)} className="chat-modal__choice">
          <input type="radio" name={name} checked={value === option} onChange={() => onChange(option)} />
          {label}
        </label>
      ))}
    </fieldset>
  );
}

/** The request's failure as an alert (`already` for a 409, when the dialog has words for it). */
function Failure({ request, already }: { request: Request; already?: string }) {
  const t = useStrings();
  if (request.status !== 'failed') return null;
  const text =
    already && request.error instanceof ConflictError
      ? already
      : t('moderation.failed', { reason: reasonOf(request.error) });
  return (
    <p className="chat-modal__error" role="alert">
      {text}
    </p>
  );
}

/** Cancel and the action (disabled while it runs, or until `ready`). */
function Actions({
  request,
  label,
  danger,
  ready = true,
  onCancel,
}: {
  request: Request;
  label: string;
  danger?: boolean;
  ready?: boolean;
  onCancel(): void;
}) {
  const t = useStrings();
  return (
    <div className="chat-modal__actions">
      <button type="button" className="chat-button" onClick={onCancel}>
        {t('moderation.cancel')}
      </button>
      <button
        type="submit"
        className={`chat-button ${danger ? 'chat-button--danger' : 'chat-button--primary'}`}
        disabled={!ready || request.status === 'working'}
      >
        {request.status === 'working' ? t('moderation.working') : label}
      </button>
    </div>
  );
}

/** What a dialog shows once done: a short confirmation and Close (which takes the focus). */
function Done({ children, onClose }: { children: ReactNode; onClose(): void }) {
  const t = useStrings();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <>
      <p className="chat-modal__done" role="status">
        {children}
      </p>
      <div className="chat-modal__actions">
        <button ref={close} type="button" className="chat-button chat-button--primary" onClick={onClose}>
          {t('moderation.close')}
        </button>
      </div>
    </>
  );
}

const submitted = (run: () => void) => (event: FormEvent) => {
  event.preventDefault();
  run();
};

/** "Report…": a reason (the protocol's), an optional note; once per message (a 409 says so). */
function ReportDialog({ message, onClose }: { message: LocalMessage; onClose(): void }) {
  const t = useStrings();
  const { client } = useChat();
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [note, setNote] = useState('');
  const [request, run] = useRequest();
  const noteId = useId();
  const submit = () => {
    if (!reason) return;
    const body: ReportBody = note.trim() ? { reason, note: note.trim() } : { reason };
    void run(() => moderationOf(client).flagMessage(message.id, body));
  };
  return (
    <Modal
      title={t('report.title', { name: displayName(message.user) })}
      onClose={onClose}
      testId="chat-report-dialog"
    >
      {request.status === 'done' ? (
        <Done onClose={onClose}>{t('report.sent')}</Done>
      ) : (
        <form className="chat-modal__form" onSubmit={submitted(submit)}>
          <Choices<ReportReason>
            legend={t('report.why')}
            options={REASONS.map((r) => [r, t(`report.reason.${r}`)] as const)}
            value={reason}
            onChange={setReason}
          />
          <label className="chat-modal__label" htmlFor={noteId}>
            {t('report.note')}
          </label>
          <textarea
            id={noteId}
            className="chat-modal__input"
            rows={3}
            maxLength={NOTE_MAX}
            value={note}
            onChange={(event) => setNote(event.target.value)}
          />
          <Failure request={request} already={t('report.already')} />
          <Actions request={request} label={t('report.submit')} ready={reason !== null} onCancel={onClose} />
        </form>
      )}
    </Modal>
  );
}

/**
 * "Block {name}" / "Unblock": asked first. Once blocked, the server hides their messages from now
 * on, and the lists drop the ones on screen (`blockedAuthorsOf`).
 */
function BlockDialog({
  message,
  unblock,
  onClose,
}: {
  message: LocalMessage;
  unblock: boolean;
  onClose(): void;
}) {
  const t = useStrings();
  const { client } = useChat();
  const [request, run] = useRequest();
  const name = displayName(message.user);
  const id = message.user_id;
  const submit = async () => {
    const moderation = moderationOf(client);
    const ok = await run(() => (unblock ? moderation.unblock(id) : moderation.block(id)));
    if (!ok) return;
    const hidden = blockedAuthorsOf(client);
    const next = new Set(hidden.getSnapshot());
    if (unblock) next.delete(id);
    else next.add(id);
    onClose();
    hidden.setState(next);
  };
  const prefix = unblock ? 'unblock' : 'block';
  return (
    <Modal title={t(`${prefix}.title`, { name })} onClose={onClose} testId="chat-block-dialog">
      <form className="chat-modal__form" onSubmit={submitted(() => void submit())}>
        <p className="chat-modal__text">{t(`${prefix}.explain`)}</p>
        <Failure request={request} />
        <Actions request={request} label={t(`${prefix}.confirm`)} danger={!unblock} onCancel={onClose} />
      </form>
    </Modal>
  );
}

/** A moderator's delete of someone else's message, asked first; it shows as removed by a moderator. */
function DeleteDialog({ message, onClose }: { message: LocalMessage; onClose(): void }) {
  const t = useStrings();
  const { client } = useChat();
  const [request, run] = useRequest();
  // Not the optimistic delete of one's own message: a refusal must stay on screen, with its reason.
  const submit = async () => {
    if (await run(() => client.http.request('deleteMessage', { params: { id: message.id } }))) onClose();
  };
  return (
    <Modal
      title={t('modDelete.title', { name: displayName(message.user) })}
      onClose={onClose}
      testId="chat-moderator-delete"
    >
      <form className="chat-modal__form" onSubmit={submitted(() => void submit())}>
        <p className="chat-modal__text">{t('modDelete.explain')}</p>
        <Failure request={request} />
        <Actions request={request} label={t('modDelete.confirm')} danger onCancel={onClose} />
      </form>
    </Modal>
  );
}

/** Pin or unpin at once; says so while it runs, and why if it fails. */
function PinAction({ message, unpin, onClose }: { message: LocalMessage; unpin: boolean; onClose(): void }) {
  const t = useStrings();
  const channel = useActiveChannel('MessageActions');
  const [request, run] = useRequest();
  const started = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per open (StrictMode runs effects twice)
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void run(() => (unpin ? channel.unpinMessage(message.id) : channel.pinMessage(message.id))).then(
      (ok) => ok && onClose(),
    );
  }, []);
  return (
    <div className="chat-menu chat-confirm" data-testid="chat-pin-status">
      {request.status === 'failed' ? (
        <>
          <Failure request={request} />
          <div className="chat-confirm__actions">
            <button type="button" className="chat-button" onClick={onClose}>
              {t('moderation.close')}
            </button>
          </div>
        </>
      ) : (
        <p className="chat-confirm__text" role="status">
          {t(unpin ? 'pin.unpinning' : 'pin.pinning')}
        </p>
      )}
    </div>
  );
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * "Ban from channel…" (1 hour, 1 day, until lifted) or, for app admins, "Time out…" (no sending,
 * reacting or editing anywhere in the app for 10 minutes, 1 hour or 1 day); with a reason.
 */
function PenaltyDialog({
  message,
  appWide,
  onClose,
}: {
  message: LocalMessage;
  appWide: boolean;
  onClose(): void;
}) {
  const t = useStrings();
  const { client } = useChat();
  const channel = useActiveChannel('MessageActions');
  const [seconds, setSeconds] = useState<number>(appWide ? 600 : HOUR);
  const [reason, setReason] = useState('');
  const [request, run] = useRequest();
  const [until, setUntil] = useState('');
  const reasonId = useId();
  const name = displayName(message.user);
  const options = appWide
    ? ([
        [600, t('timeout.minutes')],
        [HOUR, t('timeout.hour')],
        [DAY, t('timeout.day')],
      ] as const)
    : ([
        [HOUR, t('ban.hour')],
        [DAY, t('ban.day')],
        [0, t('ban.forever')],
      ] as const);
  const submit = () => {
    const why = reason.trim() ? { reason: reason.trim() } : {};
    void run(async () => {
      if (appWide) {
        const standing = await moderationOf(client).timeOut(message.user_id, { timeout: seconds, ...why });
        setUntil(
          timeOfDay(
            standing.timed_out_until ?? new Date(Date.now() + seconds * 1000).toISOString(),
            t.locale,
          ),
        );
      } else {
        await channel.banUser(message.user_id, { ...(seconds > 0 && { timeout: seconds }), ...why });
      }
    });
  };
  return (
    <Modal
      title={t(appWide ? 'timeout.title' : 'ban.title', { name })}
      onClose={onClose}
      testId={appWide ? 'chat-timeout-dialog' : 'chat-ban-dialog'}
    >
      {request.status === 'done' ? (
        <Done onClose={onClose}>
          {appWide ? t('timeout.done', { name, time: until }) : t('ban.done', { name })}
        </Done>
      ) : (
        <form className="chat-modal__form" onSubmit={submitted(submit)}>
          <Choices<number>
            legend={t('ban.duration')}
            options={options}
            value={seconds}
            onChange={setSeconds}
          />
          <label className="chat-modal__label" htmlFor={reasonId}>
            {t('moderation.reason')}
          </label>
          <input
            id={reasonId}
            className="chat-modal__input"
            maxLength={REASON_MAX}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
          <Failure request={request} />
          <Actions
            request={request}
            label={t(appWide ? 'timeout.confirm' : 'ban.confirm')}
            danger
            onCancel={onClose}
          />
        </form>
      )}
    </Modal>
  );
}

const SLOW_MODES = [0, 10, 30, 60, 300] as const;

/** A moderator's slow-mode choice for the active channel: off, 10 s, 30 s, 1 min or 5 min. */
export function SlowModeSetting({ onClose }: { onClose(): void }) {
  const t = useStrings();
  const { client } = useChat();
  const channel = useActiveChannel('ChannelMenu');
  const current = useStore(channel.state, (s) => s.channel?.slow_mode_s ?? 0);
  const [seconds, setSeconds] = useState<number>(current);
  const [request, run] = useRequest();
  const label = (s: number) =>
    s === 0
      ? t('slowMode.off')
      : s < 60
        ? t('slowMode.seconds', { count: s })
        : t('slowMode.minutes', { count: s / 60 });
  const submit = async () => {
    if (await run(() => moderationOf(client).setSlowMode(channel, seconds))) onClose();
  };
  return (
    <Modal title={t('slowMode.title')} onClose={onClose} testId="chat-slow-mode-setting">
      <form className="chat-modal__form" onSubmit={submitted(() => void submit())}>
        <p className="chat-modal__text">{t('slowMode.explain')}</p>
        <Choices<number>
          legend={t('slowMode.title')}
          options={SLOW_MODES.map((s) => [s, label(s)] as const)}
          value={seconds}
          onChange={setSeconds}
        />
        <Failure request={request} />
        <Actions request={request} label={t('slowMode.save')} onCancel={onClose} />
      </form>
    </Modal>
  );
}
