import type { Channel as ChannelHandle, ChannelSnapshot } from '@chat/core';
import { type PushLevel, useChannelMute, useChat, usePushPreferences, useStore } from '@chat/react';
import { type ChangeEvent, useEffect, useId, useState } from 'react';
import { useChannelSelection } from '../context/selection-context';
import { useStrings } from '../context/ui-context';
import { loadOnDemandStrings } from '../i18n/on-demand-strings';
import type { ChatStringKey, Translator } from '../i18n/strings';

// This part's strings come with its code.
loadOnDemandStrings();

const LEVELS: readonly PushLevel[] = ['all', 'mentions', 'none'];
const LEVEL_LABEL: Record<PushLevel, ChatStringKey> = {
  all: 'notifications.level.all',
  mentions: 'notifications.level.mentions',
  none: 'notifications.level.none',
};

type DndChoice = 'off' | 'hour' | 'tomorrow' | 'custom';
const DND_CHOICES: readonly DndChoice[] = ['off', 'hour', 'tomorrow', 'custom'];
const HOUR = 3_600_000;
/** `setTimeout` takes at most 2^31 - 1 ms; a later end needs no timer to show. */
const LONGEST_TIMER = 2 ** 31 - 1;

/** Tomorrow at 8:00, local time. */
function tomorrowMorning(now: Date): Date {
  const at = new Date(now);
  at.setDate(at.getDate() + 1);
  at.setHours(8, 0, 0, 0);
  return at;
}

/** A local `YYYY-MM-DDTHH:mm`, what `<input type="datetime-local">` holds. */
function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "Tue, Dec 8, 8:00 AM" (with the year when it is not this one), in the locale's words. */
const formatWhen = (date: Date, t: Translator) =>
  new Intl.DateTimeFormat(t.locale, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    ...(date.getFullYear() !== new Date().getFullYear() && { year: 'numeric' }),
    hour: 'numeric',
    minute: '2-digit',
  }).format(date);
const formatTime = (date: Date, t: Translator) =>
  new Intl.DateTimeFormat(t.locale, { hour: 'numeric', minute: '2-digit' }).format(date);

/** The end of do-not-disturb while it lasts, else `null`; re-renders when it runs out. */
function useDndEnd(dndUntil: string | null | undefined): Date | null {
  const [now, setNow] = useState(() => Date.now());
  const end = dndUntil ? Date.parse(dndUntil) : Number.NaN;
  useEffect(() => {
    setNow(Date.now());
    const left = end - Date.now();
    if (!(left > 0) || left > LONGEST_TIMER) return;
    const timer = setTimeout(() => setNow(Date.now()), left + 50);
    return () => clearTimeout(timer);
  }, [end]);
  return end > now ? new Date(end) : null;
}

/**
 * Push notification preferences of the connected user (`usePushPreferences`): which messages
 * notify them (all, mentions only, nothing), do-not-disturb (off, an hour, until tomorrow 8:00,
 * or until a chosen time, showing when it ends), and the level and mute of one channel. Every
 * change is saved at once; a refused one is undone and said. Radio groups and a select, so it
 * works with the keyboard, with a screen reader and on a phone.
 *
 * @example
 * <Chat client={client}>
 *   <NotificationSettings onClose={() => setOpen(false)} />
 * </Chat>
 */
/**
 * The settings themselves, loaded the first time a `<NotificationSettings>` panel shows (a chunk of
 * their own: most screens never open them): the user's level, do-not-disturb, and the channel's
 * level and mute.
 */
export function NotificationSettingsBody({ cid, id }: { cid: string | null | undefined; id: string }) {
  const t = useStrings();
  const { activeCid } = useChannelSelection();
  const { preferences, error, update, reload } = usePushPreferences();
  const [saveFailed, setSaveFailed] = useState(false);
  const [picked, setPicked] = useState<DndChoice | null>(null);
  const [custom, setCustom] = useState('');
  const [customError, setCustomError] = useState(false);
  const dndEnd = useDndEnd(preferences?.dnd_until);
  const channelCid = cid === undefined ? activeCid : cid;
  const ready = preferences !== null;
  // A refused change is undone by the hook; saying so is this view's part.
  const save = (change: Parameters<typeof update>[0], undo?: () => void) => {
    setSaveFailed(false);
    update(change).catch(() => {
      undo?.();
      setSaveFailed(true);
    });
  };

  // Until the user picks: "Off", or the time it is paused until (the server keeps only the end).
  const dndChoice: DndChoice = picked ?? (dndEnd ? 'custom' : 'off');
  const pickDnd = (choice: DndChoice) => {
    setPicked(choice);
    setCustomError(false);
    const now = new Date();
    // Refused: the choice shown goes back to what the server holds, as the end time does.
    const undo = () => setPicked(null);
    if (choice === 'off') save({ dnd_until: null }, undo);
    else if (choice === 'hour') save({ dnd_until: new Date(now.getTime() + HOUR).toISOString() }, undo);
    else if (choice === 'tomorrow') save({ dnd_until: tomorrowMorning(now).toISOString() }, undo);
    else setCustom(localInputValue(dndEnd ?? new Date(now.getTime() + HOUR)));
  };
  const applyCustom = () => {
    const until = new Date(custom);
    if (Number.isNaN(until.getTime()) || until.getTime() <= Date.now()) {
      setCustomError(true);
      return;
    }
    setCustomError(false);
    save({ dnd_until: until.toISOString() });
  };
  const dndLabel: Record<DndChoice, string> = {
    off: t('notifications.dnd.off'),
    hour: t('notifications.dnd.hour'),
    tomorrow: t('notifications.dnd.tomorrow', { time: formatTime(tomorrowMorning(new Date()), t) }),
    custom: t('notifications.dnd.custom'),
  };

  return (
    <>
      {!ready && !error && (
        <p className="chat-notification-settings__status" role="status">
          {t('notifications.loading')}
        </p>
      )}
      {!ready && error && (
        <p className="chat-notification-settings__error" role="alert">
          {t('notifications.loadFailed')}{' '}
          <button type="button" className="chat-button" onClick={() => void reload().catch(() => {})}>
            {t('notifications.retry')}
          </button>
        </p>
      )}
      {saveFailed && (
        <p className="chat-notification-settings__error" role="alert">
          {t('notifications.saveFailed')}
        </p>
      )}

      <fieldset className="chat-notification-settings__group" disabled={!ready}>
        <legend className="chat-notification-settings__legend">{t('notifications.level')}</legend>
        {LEVELS.map((level) => (
          <label key={level} className="chat-notification-settings__option">
            <input
              type="radio"
              name={`${id}-level`}
              value={level}
              checked={preferences?.level === level}
              onChange={() => save({ level })}
            />
            {t(LEVEL_LABEL[level])}
          </label>
        ))}
      </fieldset>

      <fieldset className="chat-notification-settings__group" disabled={!ready}>
        <legend className="chat-notification-settings__legend">{t('notifications.dnd')}</legend>
        <p className="chat-notification-settings__status" aria-live="polite" data-testid="chat-dnd-status">
          {dndEnd
            ? t('notifications.dnd.active', { time: formatWhen(dndEnd, t) })
            : t('notifications.dnd.inactive')}
        </p>
        {DND_CHOICES.map((choice) => (
          <label key={choice} className="chat-notification-settings__option">
            <input
              type="radio"
              name={`${id}-dnd`}
              value={choice}
              checked={ready && dndChoice === choice}
              onChange={() => pickDnd(choice)}
            />
            {dndLabel[choice]}
          </label>
        ))}
        {ready && dndChoice === 'custom' && (
          <div className="chat-notification-settings__custom">
            <label className="chat-notification-settings__field">
              {t('notifications.dnd.until')}
              <input
                type="datetime-local"
                className="chat-notification-settings__input"
                value={custom || (dndEnd ? localInputValue(dndEnd) : '')}
                min={localInputValue(new Date())}
                aria-invalid={customError}
                aria-describedby={customError ? `${id}-past` : undefined}
                onChange={(event: ChangeEvent<HTMLInputElement>) => {
                  setCustom(event.target.value);
                  setCustomError(false);
                }}
              />
            </label>
            <button type="button" className="chat-button" onClick={applyCustom}>
              {t('notifications.dnd.set')}
            </button>
            {customError && (
              <p id={`${id}-past`} className="chat-notification-settings__error" role="alert">
                {t('notifications.dnd.past')}
              </p>
            )}
          </div>
        )}
      </fieldset>

      {channelCid?.includes(':') && (
        <ChannelSection
          cid={channelCid}
          userLevel={preferences?.level ?? 'all'}
          level={preferences?.channels.find((c) => c.cid === channelCid)?.level ?? null}
          disabled={!ready}
          onLevel={(level) => save({ channels: [{ cid: channelCid, level }] })}
        />
      )}
    </>
  );
}

const selectName = (s: ChannelSnapshot) => s.channel?.name?.trim() || null;
const selectIsMember = (s: ChannelSnapshot) => s.membership !== null;

interface ChannelSectionProps {
  cid: string;
  /** The user's level, which the channel follows by default. */
  userLevel: PushLevel;
  /** The channel's own level; `null`: the user's. */
  level: PushLevel | null;
  disabled: boolean;
  onLevel(level: PushLevel | null): void;
}

/** One channel's own level (over the user's) and its mute; nothing for a channel one is not in. */
function ChannelSection({ cid, userLevel, level, disabled, onLevel }: ChannelSectionProps) {
  const t = useStrings();
  const id = useId();
  const { client } = useChat();
  const channel: ChannelHandle = client.channels.byCid(cid);
  const name = useStore(channel.state, selectName) ?? channel.id;
  const isMember = useStore(channel.state, selectIsMember);
  const { muted, mute, unmute } = useChannelMute(channel);
  const [muteFailed, setMuteFailed] = useState<'mute' | 'unmute' | null>(null);
  if (!isMember) return null;
  const onMute = (event: ChangeEvent<HTMLInputElement>) => {
    const next = event.target.checked ? 'mute' : 'unmute';
    setMuteFailed(null);
    (next === 'mute' ? mute() : unmute()).catch(() => setMuteFailed(next));
  };
  return (
    <fieldset
      className="chat-notification-settings__group"
      disabled={disabled}
      data-testid="chat-channel-notifications"
      data-cid={cid}
    >
      <legend className="chat-notification-settings__legend">
        {t('notifications.channel', { channel: name })}
      </legend>
      <label className="chat-notification-settings__field" htmlFor={`${id}-level`}>
        {t('notifications.channel.level', { channel: name })}
      </label>
      <select
        id={`${id}-level`}
        className="chat-notification-settings__input"
        value={level ?? 'default'}
        onChange={(event) => {
          const value = event.target.value;
          onLevel(value === 'default' ? null : (value as PushLevel));
        }}
        data-testid="chat-channel-level"
      >
        <option value="default">
          {t('notifications.channel.default', { level: t(LEVEL_LABEL[userLevel]) })}
        </option>
        {LEVELS.map((option) => (
          <option key={option} value={option}>
            {t(LEVEL_LABEL[option])}
          </option>
        ))}
      </select>
      <label className="chat-notification-settings__option">
        <input type="checkbox" checked={muted} onChange={onMute} data-testid="chat-channel-mute" />
        {t('notifications.channel.mute')}
      </label>
      {muted && <p className="chat-notification-settings__hint">{t('notifications.channel.muted')}</p>}
      {muteFailed && (
        <p className="chat-notification-settings__error" role="alert">
          {t(muteFailed === 'mute' ? 'channelMenu.muteFailed' : 'channelMenu.unmuteFailed')}
        </p>
      )}
    </fieldset>
  );
}
