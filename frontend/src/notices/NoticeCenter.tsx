/**
 * What the bell in the header lists: every live notice of this session (alerts, meters
 * gone quiet), newest first, with how many arrived since the list was last opened.
 * Toasts come and go; the list keeps them so a notice missed is not lost.
 */

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export interface Notice {
  id: string;
  title: string;
  message: string;
  color: string;
  /** Where the notice's "see it" link goes, if anywhere. */
  link?: { to: string; label: string };
  at: string;
}

interface NoticeState {
  notices: Notice[];
  unread: number;
  add: (notice: Notice) => void;
  markAllRead: () => void;
}

/** Enough for a session; older notices are in the pages they link to. */
const KEPT = 50;

const NoticeContext = createContext<NoticeState | null>(null);

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const [seen, setSeen] = useState<Set<string>>(() => new Set());

  const add = useCallback((notice: Notice) => {
    setNotices((current) => [notice, ...current.filter((known) => known.id !== notice.id)].slice(0, KEPT));
    setSeen((current) => {
      if (!current.has(notice.id)) return current;
      const next = new Set(current);
      next.delete(notice.id);
      return next;
    });
  }, []);

  const markAllRead = useCallback(
    () => setSeen(new Set(notices.map((notice) => notice.id))),
    [notices],
  );

  const value = useMemo(
    () => ({
      notices,
      unread: notices.filter((notice) => !seen.has(notice.id)).length,
      add,
      markAllRead,
    }),
    [notices, seen, add, markAllRead],
  );
  return <NoticeContext.Provider value={value}>{children}</NoticeContext.Provider>;
}

export function useNotices(): NoticeState {
  const state = useContext(NoticeContext);
  if (!state) throw new Error('useNotices outside NoticeProvider');
  return state;
}
