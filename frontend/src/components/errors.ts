/** Turning API errors into what forms show: a message at each field, the rest on top. */

import { ApiError, plainMessage } from '../api/client';

export interface FormErrors {
  fields: Record<string, string>;
  general: string | null;
}

export function formErrors(error: unknown): FormErrors {
  if (error instanceof ApiError) {
    const fields = error.fields ?? {};
    return { fields, general: Object.keys(fields).length ? null : plainMessage(error) };
  }
  if (error instanceof Error) return { fields: {}, general: error.message };
  return { fields: {}, general: null };
}
