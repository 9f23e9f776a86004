import type { User } from '@chat/core';
import { useChat } from '@chat/react';
import { useChannelSelection, useChatLayout } from '@chat/ui-react';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useState } from 'react';

/**
 * Starts a conversation with the people picked: the server keeps one conversation per set of
 * members (a direct message with one person, a group with several), so picking the same people
 * again opens the same one. The name is set when it is first created.
 */
export function NewConversation({ onClose }: { onClose(): void }) {
  const { client, user } = useChat();
  const { select } = useChannelSelection();
  const layout = useChatLayout();
  const [search, setSearch] = useState('');
  const [people, setPeople] = useState<User[]>([]);
  // Who is chosen, with their names (a later search may not show them any more).
  const [chosen, setChosen] = useState<Pick<User, 'id' | 'name'>[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();

  // Who matches the search (a prefix of their id or name), asked a moment after typing stops.
  useEffect(() => {
    const q = search.trim();
    if (!q) {
      setPeople([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      client.users
        .query({ q, limit: 20 })
        .then((users) => current && setPeople(users.filter((u) => u.id !== user?.id)))
        .catch((cause) => current && setError(cause instanceof Error ? cause.message : String(cause)));
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, user, search]);

  const toggle = (person: Pick<User, 'id' | 'name'>) =>
    setChosen((current) =>
      current.some((c) => c.id === person.id)
        ? current.filter((c) => c.id !== person.id)
        : [...current, person],
    );

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!user || chosen.length === 0) return;
    try {
      const channel = await client.channels.create({
        type: 'messaging',
        members: [user.id, ...chosen.map((c) => c.id)],
        ...(name.trim() && { name: name.trim() }),
      });
      select(channel.cid);
      // On a phone the list is showing: go to the new conversation.
      layout?.showChannel();
      onClose();
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
  };

  return (
    <div
      className="app-dialog"
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      onKeyDown={onKeyDown}
    >
      <form className="app-dialog__body" onSubmit={create}>
        <h2 id={titleId}>New conversation</h2>
        <label>
          Find people
          <input
            className="app-input"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Name or id"
          />
        </label>
        <fieldset>
          <legend>People</legend>
          {people.length === 0 && <p>{search.trim() ? 'Nobody found.' : 'Type a name to find people.'}</p>}
          {people.map((person) => (
            <label key={person.id} className="app-dialog__person">
              <input
                type="checkbox"
                checked={chosen.some((c) => c.id === person.id)}
                onChange={() => toggle(person)}
              />
              {person.name ?? person.id}
            </label>
          ))}
        </fieldset>
        {chosen.length > 0 && (
          <p data-testid="app-chosen">With: {chosen.map((c) => c.name ?? c.id).join(', ')}</p>
        )}
        <label>
          Name (optional)
          <input
            className="app-input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
          />
        </label>
        {error && <p role="alert">{error}</p>}
        <div className="app-dialog__actions">
          <button type="button" className="chat-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="chat-button chat-button--primary" disabled={chosen.length === 0}>
            {chosen.length > 1 ? 'Create group' : 'Start conversation'}
          </button>
        </div>
      </form>
    </div>
  );
}
