/**
 * What every long list has: a search box, a sort, and a pager over the API's pages
 * (`q`, `sort`, `limit`/`offset`, `X-Total-Count`). The state lives in the address
 * (`?q=&sort=&page=`), so a reload, a link or Back shows the same page.
 */

import { Button, Group, NativeSelect, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowDown, IconArrowUp, IconSearch, IconSelector } from '@tabler/icons-react';
import { useEffect, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { PageQuery } from '../api/client';

export const PAGE_SIZE = 50;

export interface ListState {
  /** what the search box holds now */
  text: string;
  setText: (text: string) => void;
  sort: string;
  setSort: (sort: string) => void;
  page: number;
  setPage: (page: number) => void;
  /** what to ask the API for: the search settles for a moment first */
  query: PageQuery;
}

export function useListState(defaultSort: string, pageSize = PAGE_SIZE): ListState {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const [settled] = useDebouncedValue(text.trim(), 250);
  const sort = params.get('sort') || defaultSort;
  const page = Math.max(1, Number(params.get('page')) || 1);

  const change = (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value === null || value === '') next.delete(key);
          else next.set(key, value);
        }
        return next;
      },
      { replace: true },
    );

  // a new search starts again at its first page
  useEffect(() => {
    if ((params.get('q') ?? '') !== settled) change({ q: settled, page: null });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled]);

  return {
    text,
    setText,
    sort,
    setSort: (next) => change({ sort: next === defaultSort ? null : next, page: null }),
    page,
    setPage: (next) => change({ page: next > 1 ? String(next) : null }),
    query: { q: settled || undefined, sort, limit: pageSize, offset: (page - 1) * pageSize },
  };
}

export function SearchField({ list, label, placeholder }: { list: ListState; label: string; placeholder: string }) {
  return (
    <TextInput
      label={label}
      placeholder={placeholder}
      leftSection={<IconSearch size={16} aria-hidden />}
      value={list.text}
      onChange={(event) => list.setText(event.currentTarget.value)}
      w={{ base: '100%', xs: 320 }}
    />
  );
}

export function SortField({ list, options }: { list: ListState; options: { value: string; label: string }[] }) {
  return (
    <NativeSelect
      label="Sort by"
      value={list.sort}
      onChange={(event) => list.setSort(event.currentTarget.value)}
      data={options}
      w={{ base: '100%', xs: 220 }}
    />
  );
}

/** A column heading that sorts by its key: first ascending, then descending. */
export function SortHeader({
  list,
  by,
  children,
  align,
  descendingFirst = false,
}: {
  list: ListState;
  by: string;
  children: ReactNode;
  align?: 'right';
  descendingFirst?: boolean;
}) {
  const active = list.sort === by || list.sort === `-${by}`;
  const descending = list.sort === `-${by}`;
  const next = active ? (descending ? by : `-${by}`) : descendingFirst ? `-${by}` : by;
  const Icon = !active ? IconSelector : descending ? IconArrowDown : IconArrowUp;
  return (
    <Table.Th ta={align} aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}>
      <UnstyledButton onClick={() => list.setSort(next)} className="sort-header" data-active={active || undefined}>
        <Group gap={4} wrap="nowrap" justify={align === 'right' ? 'flex-end' : 'flex-start'}>
          <span>{children}</span>
          <Icon size={14} aria-hidden />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

/** "51–100 of 10,000" with the ways to the first, previous, next and last page. */
export function Pager({ list, total, what, pageSize = PAGE_SIZE }: { list: ListState; total: number; what: string; pageSize?: number }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(list.page, pages);
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const number = new Intl.NumberFormat('en-GB');
  return (
    <Group justify="space-between" gap="xs" component="nav" aria-label={`Pages of ${what}`} data-testid="pager">
      <Text size="sm" aria-live="polite" data-testid="page-range">
        {total === 0 ? `No ${what}` : `${number.format(first)}–${number.format(last)} of ${number.format(total)} ${what}`}
      </Text>
      {pages > 1 && (
        <Group gap={4}>
          <Button variant="default" size="xs" disabled={page <= 1} onClick={() => list.setPage(1)}>
            First
          </Button>
          <Button variant="default" size="xs" disabled={page <= 1} onClick={() => list.setPage(page - 1)}>
            Previous
          </Button>
          <Text size="sm" px={4}>
            Page {number.format(page)} of {number.format(pages)}
          </Text>
          <Button variant="default" size="xs" disabled={page >= pages} onClick={() => list.setPage(page + 1)}>
            Next
          </Button>
          <Button variant="default" size="xs" disabled={page >= pages} onClick={() => list.setPage(pages)}>
            Last
          </Button>
        </Group>
      )}
    </Group>
  );
}
