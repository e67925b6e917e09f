/** The one way a failed action is shown: a red alert that screen readers announce. */

import { Alert } from '@mantine/core';

export function ErrorMessage({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <Alert color="red" role="alert">
      {message}
    </Alert>
  );
}
