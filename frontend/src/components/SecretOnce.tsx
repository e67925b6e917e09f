/** A new credential's secret, shown the only time it is known, with a copy button. */

import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export function SecretOnce({ secret, children }: { secret: string; children?: ReactNode }) {
  return (
    <Alert color="yellow" title="Copy the secret now: it is shown only this once" role="status">
      <Stack gap={4}>
        {children}
        <Group gap="xs">
          <Text size="sm">Secret</Text>
          <Code data-testid="new-secret">{secret}</Code>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="compact-xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
}
