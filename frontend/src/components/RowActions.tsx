/** The compact buttons at the end of an admin table row, each named for screen readers. */

import { Button, Group } from '@mantine/core';

export interface RowAction {
  text: string;
  /** What a screen reader hears, e.g. "Edit meter-1". */
  label: string;
  onClick: () => void;
  danger?: boolean;
}

export function RowActions({ actions }: { actions: RowAction[] }) {
  return (
    <Group gap={4} wrap="nowrap" justify="flex-end">
      {actions.map((action) => (
        <Button
          key={action.text}
          size="compact-xs"
          variant="light"
          color={action.danger ? 'red' : undefined}
          onClick={action.onClick}
          aria-label={action.label}
        >
          {action.text}
        </Button>
      ))}
    </Group>
  );
}
