import type { Conversation } from '../api/types';
import { stableOrder } from './conversations';

const conversation = (id: string, state: Conversation['state'], updated: string): Conversation => ({
  id,
  user_id: `u-${id}`,
  user_name: id,
  state,
  assigned_admin_id: null,
  created_at: updated,
  updated_at: updated,
  last_message: null,
  unread: 0,
});

describe('stableOrder', () => {
  it('keeps rows where they were after a take-over, puts new ones on top, drops gone ones', () => {
    const first = [
      conversation('a', 'waiting', '2026-12-01T10:00:00Z'),
      conversation('b', 'waiting', '2026-12-01T09:00:00Z'),
      conversation('c', 'bot', '2026-12-01T11:00:00Z'),
    ];
    const shown = stableOrder([], first);
    expect(shown).toEqual(['a', 'b', 'c']);
    // a is taken over (now "human", ranked after b by the inbox order) and gets a reply
    const later = [{ ...first[0], state: 'human' as const, updated_at: '2026-12-01T12:00:00Z' }, first[1], first[2]];
    expect(stableOrder(shown, later)).toEqual(['a', 'b', 'c']);
    const withNew = [...later.slice(1), conversation('d', 'waiting', '2026-12-01T12:30:00Z')];
    expect(stableOrder(shown, withNew)).toEqual(['d', 'b', 'c']);
  });
});
